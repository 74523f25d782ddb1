/** Dataset registry test data: digests and registrations built from a seed. */
import { createHash, randomBytes } from 'node:crypto';
import type { RegisterDatasetInput } from '../../../src/data/datasets/dataset-types.js';

/** The `sha256:` digest of some bytes. */
export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A distinct digest per seed. */
export const digestOf = (seed: string): string => sha256(`seed:${seed}`);

/** A name no other test uses, so suites may share a database. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A file registration with a table schema; override any field. */
export function buildRegistration(overrides: Partial<RegisterDatasetInput> = {}): RegisterDatasetInput {
  return {
    name: uniqueName('ds'),
    digest: digestOf(String(Math.random())),
    kind: 'file',
    size: 1234,
    files: 1,
    source: 'data/train.parquet',
    schema: { format: 'parquet', rows: 3, columns: [{ name: 'id', type: 'BIGINT' }, { name: 'label', type: 'VARCHAR' }] },
    ...overrides,
  };
}
