import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../errors.js';
import { profileFile } from '../profile/profile-file.js';
import { DuckDbEngine } from '../table/duckdb-engine.js';
import { suggestSuite } from './suggest-suite.js';
import type { ExpectationSuite, ValidationResult } from './suite-types.js';
import { validateTable, type ValidateTableOptions } from './validate-table.js';
import { resolveSuite } from './suite-parser.js';

export interface ValidateFileOptions extends ValidateTableOptions {
  /** csv, parquet or jsonl when the extension does not tell. */
  format?: string;
  /** DuckDB worker threads (default: every core). */
  threads?: number;
}

/**
 * Validates one table file on a DuckDB engine of its own (every core, spilling
 * to a private temporary folder removed afterwards). The suite is checked
 * before the file is even looked at. With `label`, messages name the label
 * instead of the path.
 * @throws InvalidArgumentError for a bad suite or unreadable file; NotFoundError for a missing file.
 */
export async function validateFile(path: string, suite: ExpectationSuite, options: ValidateFileOptions = {}): Promise<ValidationResult> {
  resolveSuite(suite);
  const spill = await mkdtemp(join(tmpdir(), 'ferry-validate-'));
  const engine = await DuckDbEngine.open({ threads: options.threads ?? availableParallelism(), tempDirectory: spill });
  try {
    const file = await engine.tableFile(path, options.format);
    return await validateTable(engine, file, suite, options);
  } catch (err) {
    throw relabel(err, path, options.label);
  } finally {
    engine.close();
    await rm(spill, { recursive: true, force: true });
  }
}

/**
 * Profiles a table file and drafts a suite from the profile (`suggestSuite`).
 * @throws as `profileFile` does.
 */
export async function suggestSuiteForFile(
  path: string,
  options: { format?: string; label?: string; name?: string; onProgress?: (done: number) => void } = {},
): Promise<ExpectationSuite> {
  try {
    const onProgress = options.onProgress && ((done: number, total: number) => options.onProgress!(done / total));
    const profile = await profileFile(path, { format: options.format, source: options.label ?? path, onProgress });
    return suggestSuite(profile, options.name);
  } catch (err) {
    throw relabel(err, path, options.label);
  }
}

/** A Ferry error naming `label` where it named the server-side path. */
function relabel(err: unknown, path: string, label: string | undefined): unknown {
  if (label !== undefined && err instanceof FerryError && err.message.includes(path)) err.message = err.message.split(path).join(label);
  return err;
}
