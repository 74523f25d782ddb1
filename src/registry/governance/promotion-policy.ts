import { InvalidArgumentError } from '../../errors.js';
import { COMPARISON_OPS, type ApprovalRule, type BaselineRule, type ComparisonOp, type MetricRule, type PolicyRules } from './governance-types.js';

const MAX_METRIC_RULES = 100;
const MAX_APPROVERS = 100;
/** MLflow's limit on a metric key. */
const MAX_METRIC_NAME = 250;
const MAX_USER_NAME = 256;
const RULE_KEYS = ['metrics', 'baseline', 'signature', 'approval'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string): never => {
  throw new InvalidArgumentError(message);
};

function onlyKeys(where: string, value: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) bad(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k.slice(0, 100)}'`).join(', ')} in ${where}; allowed: ${allowed.join(', ')}.`);
}

function metricName(where: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') bad(`${where} needs a metric name.`);
  const name = v as string;
  if (name.length > MAX_METRIC_NAME) bad(`${where}: metric name exceeds ${MAX_METRIC_NAME} characters.`);
  return name;
}

function finite(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${where} must be a finite number, got ${JSON.stringify(v)?.slice(0, 50)}.`);
  return v as number;
}

const RULE_TEXT = /^\s*(\S+?)\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** `val_auc >= 0.85` → `{ metric: 'val_auc', op: '>=', threshold: 0.85 }`. */
export function parseMetricRule(text: string): MetricRule {
  const m = RULE_TEXT.exec(text);
  if (!m) bad(`Cannot read metric rule '${text.slice(0, 200)}': write '<metric> <op> <number>' with op one of ${COMPARISON_OPS.join(' ')}, e.g. 'val_auc >= 0.85'.`);
  return { metric: metricName(`Metric rule '${text.slice(0, 200)}'`, m![1]), op: m![2] as ComparisonOp, threshold: Number(m![3]) };
}

function metricRule(v: unknown, i: number): MetricRule {
  const where = `metrics[${i}]`;
  if (typeof v === 'string') return parseMetricRule(v);
  if (!isRecord(v)) return bad(`${where} must be a rule such as 'val_auc >= 0.85' or {metric, op, threshold}.`);
  onlyKeys(where, v, ['metric', 'op', 'threshold']);
  if (!COMPARISON_OPS.includes(v.op as ComparisonOp)) bad(`${where}.op must be one of ${COMPARISON_OPS.join(' ')}, got ${JSON.stringify(v.op)?.slice(0, 50)}.`);
  return { metric: metricName(where, v.metric), op: v.op as ComparisonOp, threshold: finite(`${where}.threshold`, v.threshold) };
}

function baselineRule(v: unknown): BaselineRule {
  if (!isRecord(v)) return bad('baseline must be {metric, direction, minImprovement} or {metric, direction, maxRegression}.');
  onlyKeys('baseline', v, ['metric', 'direction', 'minImprovement', 'maxRegression']);
  if (v.direction !== 'higher' && v.direction !== 'lower') bad(`baseline.direction must be 'higher' or 'lower' (which way is better), got ${JSON.stringify(v.direction)?.slice(0, 50)}.`);
  const hasMin = v.minImprovement !== undefined && v.minImprovement !== null;
  const hasMax = v.maxRegression !== undefined && v.maxRegression !== null;
  if (hasMin === hasMax) bad('baseline needs exactly one of minImprovement (beat the current version by at least this) or maxRegression (be worse by at most this).');
  const rule: BaselineRule = { metric: metricName('baseline', v.metric), direction: v.direction as 'higher' | 'lower' };
  const key = hasMin ? 'minImprovement' : 'maxRegression';
  const amount = finite(`baseline.${key}`, v[key]);
  if (amount < 0) bad(`baseline.${key} must not be negative, got ${amount}.`);
  rule[key] = amount;
  return rule;
}

function approvalRule(v: unknown): ApprovalRule {
  if (v === undefined || v === null) return { required: false, approvers: [] };
  if (!isRecord(v)) return bad('approval must be {required: boolean, approvers?: [user, …]}.');
  onlyKeys('approval', v, ['required', 'approvers']);
  if (typeof v.required !== 'boolean') bad('approval.required must be true or false.');
  const list = v.approvers ?? [];
  if (!Array.isArray(list) || list.length > MAX_APPROVERS) bad(`approval.approvers must be a list of at most ${MAX_APPROVERS} user names.`);
  const approvers = (list as unknown[]).map((a, i) => {
    if (typeof a !== 'string' || a.trim() === '' || a.length > MAX_USER_NAME) bad(`approval.approvers[${i}] must be a user (token) name of 1 to ${MAX_USER_NAME} characters.`);
    return a as string;
  });
  return { required: v.required as boolean, approvers: [...new Set(approvers)] };
}

/**
 * Reads and checks policy rules as the API and the CLI's policy file give
 * them. Unknown fields are refused, so a misspelt rule cannot silently do nothing.
 * @throws InvalidArgumentError naming the field that is wrong.
 */
export function parsePolicyRules(input: unknown): PolicyRules {
  if (!isRecord(input)) return bad(`A promotion policy must be an object with any of: ${RULE_KEYS.join(', ')}.`);
  onlyKeys('the policy', input, RULE_KEYS);
  const metrics = input.metrics ?? [];
  if (!Array.isArray(metrics) || metrics.length > MAX_METRIC_RULES) bad(`metrics must be a list of at most ${MAX_METRIC_RULES} rules such as 'val_auc >= 0.85'.`);
  const signature = input.signature ?? 'none';
  if (signature !== 'same_inputs' && signature !== 'none') bad(`signature must be 'same_inputs' or 'none', got ${JSON.stringify(signature)?.slice(0, 50)}.`);
  const rules: PolicyRules = {
    metrics: (metrics as unknown[]).map(metricRule),
    signature: signature as PolicyRules['signature'],
    approval: approvalRule(input.approval),
  };
  if (input.baseline !== undefined && input.baseline !== null) rules.baseline = baselineRule(input.baseline);
  return rules;
}

/** Whether `observed op threshold` holds; NaN never passes. */
export function compare(observed: number, op: ComparisonOp, threshold: number): boolean {
  switch (op) {
    case '>=':
      return observed >= threshold;
    case '>':
      return observed > threshold;
    case '<=':
      return observed <= threshold;
    case '<':
      return observed < threshold;
    case '==':
      return observed === threshold;
  }
}

/** A rule as one line: `val_auc >= 0.85`. */
export const describeMetricRule = (r: MetricRule): string => `${r.metric} ${r.op} ${r.threshold}`;
