/** Batch inference over table files (`ferry predict`): what the CLI and benchmarks may import. */
export { predictBatch } from './batch-predictor.js';
export type { BatchPredictOptions, BatchPredictSummary, BatchProgress } from './batch-predictor.js';
export { loadBatchModel } from './batch-model.js';
export type { BatchModel, LoadBatchModelOptions } from './batch-model.js';
export { planColumns } from './column-plan.js';
export type { ColumnPlan, ColumnPlanOptions, ElementSource, FileColumn, InputFeed, KeyPlan } from './column-plan.js';
export type { OnBadRow } from './row-reader.js';
