import { InvalidArgumentError } from '../errors.js';
import {
  STRATEGIES,
  type AbVariantSpec,
  type CanaryCheck,
  type CanarySpec,
  type DeploymentDocument,
  type DeploymentSpec,
  type LoggingSpec,
  type ModelRef,
  type ShadowSpec,
  type Strategy,
  type WebhookSpec,
} from './deployment-types.js';

/** Deployment names appear in URL paths and served model names. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const VARIANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const HEADER = /^[A-Za-z0-9-]{1,100}$/;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

export const DEFAULT_STICKY_HEADER = 'x-ferry-user';
const DEFAULT_CHECKS: CanaryCheck[] = [
  { metric: 'error_rate', maxIncrease: 0.01 },
  { metric: 'latency_p99', maxRatio: 1.5, floorMs: 5 },
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(field: string, message: string): never {
  throw new InvalidArgumentError(`${field}: ${message}`, { details: { field } });
}

/** Refuses keys other than `allowed`, so a misspelt field is an error rather than silently ignored. */
function onlyKeys(o: Obj, field: string, allowed: string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) bad(field ? `${field}.${key}` : key, `unknown field; expected one of ${allowed.join(', ')}.`);
  }
}

function object(v: unknown, field: string): Obj {
  if (!isObj(v)) bad(field, `must be a mapping (an object), got ${describe(v)}.`);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `'${v.slice(0, 80)}'` : typeof v === 'object' ? 'an object' : String(v);
}

function number(v: unknown, field: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    bad(field, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${describe(v)}.`);
  }
  return v;
}

function string(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') bad(field, `must be a non-empty string, got ${describe(v)}.`);
  return v;
}

/**
 * Milliseconds of a duration such as '250ms', '30s', '5m', '1h' or '1m30s'.
 * @throws InvalidArgumentError naming `field`.
 */
export function parseDuration(v: unknown, field = 'duration'): number {
  if (typeof v !== 'string' || !DURATION.test(v.trim())) bad(field, `must be a duration such as '250ms', '30s', '5m' or '1h', got ${describe(v)}.`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of v.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return Math.round(total);
}

function duration(v: unknown, field: string, minMs: number, maxMs: number): string {
  const ms = parseDuration(v, field);
  if (ms < minMs || ms > maxMs) bad(field, `must be between ${minMs} ms and ${maxMs / 3_600_000} h, got '${v}'.`);
  return (v as string).trim();
}

/**
 * The registered model version a `models:/NAME/VERSION` URI names.
 * @throws InvalidArgumentError naming `field` for any other form (aliases are refused: a deployment pins versions).
 */
export function parseModelRef(uri: unknown, field = 'model'): ModelRef {
  if (typeof uri !== 'string' || !uri.startsWith('models:/')) bad(field, `must be a registered model version, models:/NAME/VERSION, got ${describe(uri)}.`);
  const m = /^models:\/([^/@]+)\/(\d+)$/.exec(uri);
  if (!m) {
    bad(field, `'${uri}' does not pin a version; use models:/NAME/VERSION (a deployment pins versions, so aliases and stages are not accepted).`);
  }
  const version = Number(m[2]);
  if (!Number.isSafeInteger(version) || version < 1) bad(field, `the version in '${uri}' must be a positive integer.`);
  return { model: m[1]!, version };
}

/** The URI serving loads a pinned version from. */
export const modelUri = (ref: ModelRef): string => `models:/${ref.model}/${ref.version}`;

/**
 * Checks a deployment name.
 * @throws InvalidArgumentError saying what names may contain.
 */
export function checkDeploymentName(name: unknown, field = 'metadata.name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    bad(field, `must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit, got ${describe(name)}.`);
  }
  return name;
}

function parseChecks(v: unknown, field: string): CanaryCheck[] {
  if (v === undefined) return DEFAULT_CHECKS.map((c) => ({ ...c }));
  if (!Array.isArray(v) || v.length === 0) bad(field, 'must be a non-empty list of checks, e.g. [{metric: error_rate, max: 0.01}].');
  return v.map((raw, i) => {
    const f = `${field}[${i}]`;
    const c = object(raw, f);
    switch (c.metric) {
      case 'error_rate': {
        onlyKeys(c, f, ['metric', 'max', 'maxIncrease']);
        if (c.max === undefined && c.maxIncrease === undefined) bad(f, 'error_rate needs max (absolute, 0–1) or maxIncrease (over the stable version).');
        return {
          metric: 'error_rate',
          ...(c.max === undefined ? {} : { max: number(c.max, `${f}.max`, 0, 1) }),
          ...(c.maxIncrease === undefined ? {} : { maxIncrease: number(c.maxIncrease, `${f}.maxIncrease`, 0, 1) }),
        };
      }
      case 'latency_p99': {
        onlyKeys(c, f, ['metric', 'maxMs', 'maxRatio', 'floorMs']);
        if (c.maxMs === undefined && c.maxRatio === undefined) bad(f, 'latency_p99 needs maxMs (absolute) or maxRatio (to the stable version).');
        return {
          metric: 'latency_p99',
          ...(c.maxMs === undefined ? {} : { maxMs: number(c.maxMs, `${f}.maxMs`, 0.001, 3_600_000) }),
          ...(c.maxRatio === undefined ? {} : { maxRatio: number(c.maxRatio, `${f}.maxRatio`, 0.01, 1000) }),
          floorMs: c.floorMs === undefined ? 5 : number(c.floorMs, `${f}.floorMs`, 0, 60_000),
        };
      }
      case 'drift':
        onlyKeys(c, f, ['metric', 'max']);
        return { metric: 'drift', max: number(c.max, `${f}.max`, 0, 100) };
      default:
        return bad(`${f}.metric`, `must be error_rate, latency_p99 or drift, got ${describe(c.metric)}.`);
    }
  });
}

function parseCanary(v: unknown, field: string): CanarySpec {
  const c = v === undefined ? {} : object(v, field);
  onlyKeys(c, field, ['steps', 'interval', 'minRequests', 'failureLimit', 'consecutiveErrorLimit', 'checks']);
  let steps = [5, 25, 50, 100];
  if (c.steps !== undefined) {
    if (!Array.isArray(c.steps) || c.steps.length === 0 || c.steps.length > 100) bad(`${field}.steps`, 'must be a list of 1 to 100 percentages, e.g. [5, 25, 50, 100].');
    steps = c.steps.map((s, i) => {
      const n = number(s, `${field}.steps[${i}]`, 1, 100, true);
      if (i > 0 && n <= (c.steps as number[])[i - 1]!) bad(`${field}.steps[${i}]`, `must be greater than the step before it (${(c.steps as number[])[i - 1]}), got ${n}.`);
      return n;
    });
  }
  return {
    steps,
    interval: c.interval === undefined ? '1m' : duration(c.interval, `${field}.interval`, 10, 24 * 3_600_000),
    minRequests: c.minRequests === undefined ? 20 : number(c.minRequests, `${field}.minRequests`, 1, 1e9, true),
    failureLimit: c.failureLimit === undefined ? 1 : number(c.failureLimit, `${field}.failureLimit`, 1, 1000, true),
    consecutiveErrorLimit: c.consecutiveErrorLimit === undefined ? 10 : number(c.consecutiveErrorLimit, `${field}.consecutiveErrorLimit`, 0, 1e6, true),
    checks: parseChecks(c.checks, `${field}.checks`),
  };
}

function parseVariants(v: unknown, field: string): AbVariantSpec[] {
  if (!Array.isArray(v) || v.length < 2 || v.length > 16) bad(field, 'strategy ab needs a list of 2 to 16 arms, each {name, model, weight}.');
  const names = new Set<string>();
  const arms = v.map((raw, i) => {
    const f = `${field}[${i}]`;
    const a = object(raw, f);
    onlyKeys(a, f, ['name', 'model', 'weight']);
    if (typeof a.name !== 'string' || !VARIANT_NAME.test(a.name)) bad(`${f}.name`, `must be 1 to 63 letters, digits, '.', '_' or '-', got ${describe(a.name)}.`);
    if (names.has(a.name)) bad(`${f}.name`, `'${a.name}' names two arms; arm names must differ.`);
    names.add(a.name);
    parseModelRef(a.model, `${f}.model`);
    return { name: a.name, model: a.model as string, weight: number(a.weight, `${f}.weight`, 0, 100) };
  });
  const total = arms.reduce((s, a) => s + a.weight, 0);
  if (Math.abs(total - 100) > 1e-9) bad(field, `the arms' weights must add up to 100, got ${total}.`);
  return arms;
}

function parseShadow(v: unknown, field: string): ShadowSpec {
  const s = typeof v === 'string' ? { model: v } : object(v, field);
  onlyKeys(s, field, ['model', 'sampleRate', 'tolerance']);
  parseModelRef(s.model, `${field}.model`);
  return {
    model: s.model as string,
    sampleRate: s.sampleRate === undefined ? 1 : number(s.sampleRate, `${field}.sampleRate`, 0, 1),
    tolerance: s.tolerance === undefined ? 1e-6 : number(s.tolerance, `${field}.tolerance`, 0, 1e12),
  };
}

function parseWebhook(v: unknown, field: string): WebhookSpec {
  const w = typeof v === 'string' ? { url: v } : object(v, field);
  onlyKeys(w, field, ['url', 'timeout']);
  const url = string(w.url, `${field}.url`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    bad(`${field}.url`, `'${url}' is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') bad(`${field}.url`, `must be an http:// or https:// URL, got '${url}'.`);
  return { url, timeout: w.timeout === undefined ? '2s' : duration(w.timeout, `${field}.timeout`, 10, 60_000) };
}

/** Defaults of `spec.logging`: every request, written out every five seconds. */
export const DEFAULT_LOGGING: LoggingSpec = { sampleRate: 1, flushInterval: '5s' };

function parseLogging(v: unknown, field: string): LoggingSpec {
  const l = object(v, field);
  onlyKeys(l, field, ['sampleRate', 'flushInterval']);
  return {
    sampleRate: l.sampleRate === undefined ? DEFAULT_LOGGING.sampleRate : number(l.sampleRate, `${field}.sampleRate`, 0, 1),
    flushInterval: l.flushInterval === undefined ? DEFAULT_LOGGING.flushInterval : duration(l.flushInterval, `${field}.flushInterval`, 10, 3_600_000),
  };
}

/** Fields each strategy takes (besides the common ones), so a field of another strategy is refused by name. */
const STRATEGY_FIELDS: Record<Strategy, string[]> = {
  direct: ['model'],
  canary: ['model', 'canary'],
  ab: ['variants', 'stickyHeader'],
  shadow: ['model', 'shadow'],
};
const COMMON_FIELDS = ['strategy', 'previousRetention', 'warmup', 'webhook', 'logging'];
const ALL_FIELDS = [...new Set([...COMMON_FIELDS, ...Object.values(STRATEGY_FIELDS).flat()])];

function parseSpec(v: unknown): DeploymentSpec {
  const s = object(v, 'spec');
  onlyKeys(s, 'spec', ALL_FIELDS);
  const strategy = (s.strategy ?? 'direct') as Strategy;
  if (!STRATEGIES.includes(strategy)) bad('spec.strategy', `must be one of ${STRATEGIES.join(', ')}, got ${describe(s.strategy)}.`);
  for (const key of Object.keys(s)) {
    if (!COMMON_FIELDS.includes(key) && !STRATEGY_FIELDS[strategy].includes(key)) {
      bad(`spec.${key}`, `is not used by strategy '${strategy}' (it takes ${STRATEGY_FIELDS[strategy].join(', ')}).`);
    }
  }
  const spec: DeploymentSpec = {
    strategy,
    previousRetention: s.previousRetention === undefined ? '10m' : duration(s.previousRetention, 'spec.previousRetention', 0, 7 * 24 * 3_600_000),
    warmup: s.warmup === undefined ? true : typeof s.warmup === 'boolean' ? s.warmup : bad('spec.warmup', `must be true or false, got ${describe(s.warmup)}.`),
  };
  if (strategy !== 'ab') {
    if (s.model === undefined) bad('spec.model', `strategy '${strategy}' needs the version to serve, models:/NAME/VERSION.`);
    parseModelRef(s.model, 'spec.model');
    spec.model = s.model as string;
  }
  if (strategy === 'canary') spec.canary = parseCanary(s.canary, 'spec.canary');
  if (strategy === 'ab') {
    spec.variants = parseVariants(s.variants, 'spec.variants');
    if (s.stickyHeader !== undefined && (typeof s.stickyHeader !== 'string' || !HEADER.test(s.stickyHeader))) {
      bad('spec.stickyHeader', `must be an HTTP header name, got ${describe(s.stickyHeader)}.`);
    }
    spec.stickyHeader = ((s.stickyHeader as string | undefined) ?? DEFAULT_STICKY_HEADER).toLowerCase();
  }
  if (strategy === 'shadow') {
    if (s.shadow === undefined) bad('spec.shadow', 'strategy shadow needs the challenger: shadow: {model: models:/NAME/VERSION}.');
    spec.shadow = parseShadow(s.shadow, 'spec.shadow');
    if (spec.shadow.model === spec.model) bad('spec.shadow.model', 'must differ from spec.model: a version cannot shadow itself.');
  }
  if (s.webhook !== undefined) spec.webhook = parseWebhook(s.webhook, 'spec.webhook');
  if (s.logging !== undefined) spec.logging = parseLogging(s.logging, 'spec.logging');
  return spec;
}

/**
 * Reads a deployment document (parsed YAML or JSON) and fills in defaults.
 * `name` is the name the caller addressed (a URL path); the document's
 * `metadata.name` may be left out then, or must agree.
 * @throws InvalidArgumentError whose message starts with the offending field (`spec.canary.steps[2]: …`) and whose `details.field` names it.
 */
export function parseDeploymentDocument(raw: unknown, name?: string): DeploymentDocument {
  const doc = object(raw, 'document');
  onlyKeys(doc, '', ['apiVersion', 'kind', 'metadata', 'spec']);
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'ferry/v1') bad('apiVersion', `must be ferry/v1, got ${describe(doc.apiVersion)}.`);
  if (doc.kind !== undefined && doc.kind !== 'Deployment') bad('kind', `must be Deployment, got ${describe(doc.kind)}.`);
  const metadata = doc.metadata === undefined ? {} : object(doc.metadata, 'metadata');
  onlyKeys(metadata, 'metadata', ['name', 'description']);
  const given = metadata.name ?? name;
  if (given === undefined) bad('metadata.name', 'is required: the name of the deployment.');
  checkDeploymentName(given);
  if (name !== undefined && metadata.name !== undefined && metadata.name !== name) {
    bad('metadata.name', `'${String(metadata.name)}' does not match the deployment addressed, '${name}'.`);
  }
  if (doc.spec === undefined) bad('spec', 'is required: the strategy and the model version(s) to serve.');
  const out: DeploymentDocument = { apiVersion: 'ferry/v1', kind: 'Deployment', metadata: { name: given as string }, spec: parseSpec(doc.spec) };
  if (metadata.description !== undefined) {
    if (typeof metadata.description !== 'string' || metadata.description.length > 5000) bad('metadata.description', 'must be a string of at most 5000 characters.');
    out.metadata.description = metadata.description;
  }
  return out;
}

/** Every model version a spec names, first the one that serves by default. */
export function specModels(spec: DeploymentSpec): ModelRef[] {
  const uris = [spec.model, ...(spec.variants ?? []).map((v) => v.model), spec.shadow?.model].filter((u): u is string => u !== undefined);
  return uris.map((u) => parseModelRef(u));
}
