import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../table/duckdb-engine.js';
import { profileTable, type ProfileOptions } from './profile-table.js';
import type { TableProfile } from './profile-types.js';

export interface ProfileFileOptions extends ProfileOptions {
  /** csv, parquet or jsonl when the extension does not tell. */
  format?: string;
  /** DuckDB worker threads (default: every core). */
  threads?: number;
}

/**
 * Profiles one table file on a DuckDB engine of its own, using every core,
 * spilling to a private temporary folder that is removed afterwards.
 * @throws NotFoundError for a missing file; InvalidArgumentError for an unreadable one or bad options.
 */
export async function profileFile(path: string, options: ProfileFileOptions = {}): Promise<TableProfile> {
  const spill = await mkdtemp(join(tmpdir(), 'ferry-profile-'));
  const engine = await DuckDbEngine.open({ threads: options.threads ?? availableParallelism(), tempDirectory: spill });
  try {
    const file = await engine.tableFile(path, options.format);
    return await profileTable(engine, file, options);
  } finally {
    engine.close();
    await rm(spill, { recursive: true, force: true });
  }
}
