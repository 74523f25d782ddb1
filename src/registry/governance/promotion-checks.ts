import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { NotFoundError } from '../../errors.js';
import type { RunService } from '../../tracking/run-service.js';
import type { ModelVersion } from '../registry-types.js';
import { BREAKING_CHANGE_TAG, type BaselineRule, type CheckResult, type MetricRule, type PolicyRules } from './governance-types.js';
import { compare, describeMetricRule } from './promotion-policy.js';
import { inputDifferences, readVersionSignature } from './version-signature.js';

export interface CheckDeps {
  runs: RunService;
  artifacts?: ArtifactStore;
}

type Metrics = { values: Map<string, number> } | { problem: string };

/** Differences of nearby doubles (0.87 - 0.85 = 0.020000000000000018) are rounded to 12 significant digits, so a margin of 0.02 means what it says. */
const round = (x: number): number => Number(x.toPrecision(12));

/** The latest metrics of the version's source run. */
async function metricsOf(runs: RunService, mv: ModelVersion): Promise<Metrics> {
  if (!mv.runId) return { problem: `version ${mv.version} has no source run` };
  try {
    const run = await runs.get(mv.runId);
    return { values: new Map(run.data.metrics.map((m) => [m.key, m.value])) };
  } catch (err) {
    if (err instanceof NotFoundError) return { problem: `version ${mv.version}'s source run ${mv.runId} no longer exists` };
    throw err;
  }
}

function valueOf(m: Metrics, key: string): number | null {
  return 'values' in m ? (m.values.get(key) ?? null) : null;
}

function metricCheck(rule: MetricRule, candidate: ModelVersion, metrics: Metrics): CheckResult {
  const observed = valueOf(metrics, rule.metric);
  const base = { check: 'metric' as const, ...rule, observed };
  if (observed === null) {
    const why = 'problem' in metrics ? metrics.problem : `source run ${candidate.runId} has no metric '${rule.metric}'`;
    return { ...base, passed: false, message: `metric ${describeMetricRule(rule)}: ${why}` };
  }
  const passed = compare(observed, rule.op, rule.threshold);
  return { ...base, passed, message: `metric ${describeMetricRule(rule)}: observed ${observed}${passed ? '' : `, which is not ${rule.op} ${rule.threshold}`}` };
}

function baselineCheck(rule: BaselineRule, alias: string, candidate: ModelVersion, own: Metrics, holder: ModelVersion | undefined, theirs: Metrics | undefined): CheckResult {
  const margin = rule.minImprovement !== undefined ? `improve by at least ${rule.minImprovement}` : `regress by at most ${rule.maxRegression}`;
  const head = `baseline ${rule.metric} (${rule.direction} is better, must ${margin})`;
  const observed = valueOf(own, rule.metric);
  const base = { check: 'baseline' as const, ...rule, holderVersion: holder?.version ?? null, holderValue: null, observed, improvement: null };
  if (!holder || !theirs) return { ...base, passed: true, message: `${head}: no version holds '${alias}' yet, nothing to compare with` };
  const holderValue = valueOf(theirs, rule.metric);
  if (observed === null) {
    const why = 'problem' in own ? own.problem : `version ${candidate.version}'s source run has no metric '${rule.metric}'`;
    return { ...base, holderValue, passed: false, message: `${head}: ${why}` };
  }
  if (holderValue === null) {
    const why = 'problem' in theirs ? theirs.problem : `its source run has no metric '${rule.metric}'`;
    return { ...base, passed: false, message: `${head}: cannot compare with version ${holder.version} (current '${alias}'): ${why}` };
  }
  const improvement = round(rule.direction === 'higher' ? observed - holderValue : holderValue - observed);
  const passed = rule.minImprovement !== undefined ? improvement >= rule.minImprovement : improvement >= -rule.maxRegression!;
  const change = improvement >= 0 ? `an improvement of ${improvement}` : `a regression of ${round(-improvement)}`;
  return {
    ...base,
    holderValue,
    improvement,
    passed,
    message: `${head}: version ${candidate.version} has ${observed}, version ${holder.version} (current '${alias}') has ${holderValue}: ${change}`,
  };
}

async function signatureCheck(deps: CheckDeps, alias: string, candidate: ModelVersion, holder: ModelVersion | undefined): Promise<CheckResult> {
  const declared = candidate.tags.some((t) => t.key === BREAKING_CHANGE_TAG && t.value.trim().toLowerCase() === 'true');
  const base = { check: 'signature' as const, holderVersion: holder?.version ?? null, breakingChangeDeclared: declared };
  const head = 'signature (same inputs as the current holder)';
  if (!holder) return { ...base, differences: [], passed: true, message: `${head}: no version holds '${alias}' yet, nothing to compare with` };
  const override = `; set the version tag ${BREAKING_CHANGE_TAG}=true to declare a deliberate change`;
  const [theirs, ours] = await Promise.all([readVersionSignature(deps.artifacts, holder), readVersionSignature(deps.artifacts, candidate)]);
  if ('problem' in theirs || 'problem' in ours) {
    const problem = 'problem' in ours ? ours.problem : (theirs as { problem: string }).problem;
    if (declared) return { ...base, differences: [], passed: true, message: `${head}: not compared (${problem}); declared a breaking change` };
    return { ...base, differences: [], passed: false, message: `${head}: cannot compare inputs: ${problem}${override}` };
  }
  const differences = inputDifferences(theirs.signature, ours.signature);
  if (differences.length === 0) return { ...base, differences, passed: true, message: `${head}: same inputs as version ${holder.version}` };
  const what = `inputs differ from version ${holder.version} (current '${alias}'): ${differences.join('; ')}`;
  if (declared) return { ...base, differences, passed: true, message: `${head}: ${what}; declared a breaking change` };
  return { ...base, differences, passed: false, message: `${head}: ${what}${override}` };
}

/**
 * Judges a candidate for `alias` against the policy and the version holding
 * the alias now (if any). Every rule gives one result, passed or not, with
 * the values it saw; nothing is written.
 */
export async function evaluatePolicy(
  deps: CheckDeps,
  rules: PolicyRules,
  alias: string,
  candidate: ModelVersion,
  holder: ModelVersion | undefined,
): Promise<CheckResult[]> {
  const own = await metricsOf(deps.runs, candidate);
  const results = rules.metrics.map((r) => metricCheck(r, candidate, own));
  if (rules.baseline) {
    const theirs = holder ? await metricsOf(deps.runs, holder) : undefined;
    results.push(baselineCheck(rules.baseline, alias, candidate, own, holder, theirs));
  }
  if (rules.signature === 'same_inputs') results.push(await signatureCheck(deps, alias, candidate, holder));
  return results;
}
