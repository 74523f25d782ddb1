/**
 * Model quality metrics over predictions joined with ground truth. Pure
 * functions, matching scikit-learn's definitions (and its choice of 0 where a
 * ratio has no denominator, `zero_division=0`).
 */

/** A class label as logged or sent as feedback. */
export type Label = number | string;

/** Metrics for classifiers. */
export const CLASSIFICATION_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const;
/** Metrics for regressors. */
export const REGRESSION_METRICS = ['mae', 'rmse'] as const;
export const QUALITY_METRICS = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/** Whether higher values of `metric` are better (errors are better lower). */
export const higherIsBetter = (metric: QualityMetric): boolean => !(REGRESSION_METRICS as readonly string[]).includes(metric);

function checkPairs(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`expected as many predictions as labels, got ${b.length} and ${a.length}`);
}

/** Share of predictions equal to their label; NaN for none. */
export function accuracy(yTrue: readonly Label[], yPred: readonly Label[]): number {
  checkPairs(yTrue, yPred);
  if (yTrue.length === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
  /** 'binary' when the labels are 0 and 1 (positive class 1); otherwise the unweighted mean over every class seen, as sklearn's average='macro'. */
  average: 'binary' | 'macro';
}

function binaryScores(yTrue: readonly Label[], yPred: readonly Label[], positive: Label): { precision: number; recall: number; f1: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] === positive;
    const p = yPred[i] === positive;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return { precision, recall, f1 };
}

/** True when every label is 0 or 1 (booleans are mapped to these before). */
export const isBinary = (labels: readonly Label[]): boolean => labels.every((l) => l === 0 || l === 1);

/**
 * Precision, recall and F1. Binary (positive class 1) when predictions and
 * labels are all 0 or 1; otherwise macro-averaged over the union of classes
 * in labels and predictions (sklearn `average='macro'`).
 */
export function precisionRecallF1(yTrue: readonly Label[], yPred: readonly Label[]): PrecisionRecallF1 {
  checkPairs(yTrue, yPred);
  if (yTrue.length === 0) return { precision: Number.NaN, recall: Number.NaN, f1: Number.NaN, average: 'binary' };
  if (isBinary(yTrue) && isBinary(yPred)) return { ...binaryScores(yTrue, yPred, 1), average: 'binary' };
  const classes = [...new Set([...yTrue, ...yPred])];
  const sum = { precision: 0, recall: 0, f1: 0 };
  for (const c of classes) {
    const s = binaryScores(yTrue, yPred, c);
    sum.precision += s.precision;
    sum.recall += s.recall;
    sum.f1 += s.f1;
  }
  const n = classes.length;
  return { precision: sum.precision / n, recall: sum.recall / n, f1: sum.f1 / n, average: 'macro' };
}

/**
 * Area under the ROC curve of binary labels (0/1) against scores for class 1,
 * as the Mann–Whitney U statistic with tied scores given their average rank
 * (equal to sklearn's `roc_auc_score`). NaN unless both classes occur.
 */
export function rocAuc(yTrue: readonly number[], scores: readonly number[]): number {
  checkPairs(yTrue, scores);
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    // Ranks i+1 … j+1 share their mean.
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (yTrue[order[k]!] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = yTrue.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean absolute error; NaN for none. */
export function mae(yTrue: readonly number[], yPred: readonly number[]): number {
  checkPairs(yTrue, yPred);
  if (yTrue.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

/** Root mean squared error; NaN for none. */
export function rmse(yTrue: readonly number[], yPred: readonly number[]): number {
  checkPairs(yTrue, yPred);
  if (yTrue.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i]! - yPred[i]!) ** 2;
  return Math.sqrt(s / yTrue.length);
}

/** One labelled prediction, reduced to what the metrics need. */
export interface Scored {
  label: Label;
  /** Predicted class (classifiers) or value (regressors). */
  predicted: Label;
  /** Score for class 1 (binary classifiers that output a probability or score); absent otherwise. */
  score?: number;
}

/** `metric` over labelled predictions; NaN where it is undefined (no rows, AUC without both classes or scores). */
export function computeMetric(metric: QualityMetric, rows: readonly Scored[]): number {
  const yTrue = rows.map((r) => r.label);
  const yPred = rows.map((r) => r.predicted);
  switch (metric) {
    case 'accuracy':
      return accuracy(yTrue, yPred);
    case 'precision':
    case 'recall':
    case 'f1':
      return precisionRecallF1(yTrue, yPred)[metric];
    case 'auc': {
      if (rows.some((r) => r.score === undefined) || !isBinary(yTrue)) return Number.NaN;
      return rocAuc(yTrue as number[], rows.map((r) => r.score!));
    }
    case 'mae':
    case 'rmse': {
      const t = yTrue.map(Number);
      const p = yPred.map(Number);
      return metric === 'mae' ? mae(t, p) : rmse(t, p);
    }
  }
}
