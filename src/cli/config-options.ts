import type { Command } from 'commander';
import { loadConfig, type ConfigOverrides, type FerryConfig } from '../config/config.js';

/** Adds the flags every command that opens Ferry's stores shares. */
export function withStoreOptions(cmd: Command): Command {
  return cmd
    .option('--home <dir>', 'folder for the embedded database and artifacts (FERRY_HOME, default ./.ferry)')
    .option('--database-url <url>', 'sqlite:<path> or postgres://… (FERRY_DATABASE_URL)')
    .option('--artifacts-url <url>', 'file:///path or s3://bucket/prefix (FERRY_ARTIFACTS_URL)');
}

/** Builds the config from parsed flags; flags win over FERRY_* variables. */
export function configFrom(opts: Record<string, unknown>): FerryConfig {
  const o: ConfigOverrides = {};
  if (typeof opts.home === 'string') o.home = opts.home;
  if (typeof opts.databaseUrl === 'string') o.databaseUrl = opts.databaseUrl;
  if (typeof opts.artifactsUrl === 'string') o.artifactsUrl = opts.artifactsUrl;
  if (typeof opts.host === 'string') o.host = opts.host;
  if (opts.port !== undefined) o.port = Number(opts.port);
  if (opts.auth !== undefined) o.auth = opts.auth === true || opts.auth === 'on';
  if (opts.insecure === true) o.insecure = true;
  if (opts.bodyLimit !== undefined) o.bodyLimit = Number(opts.bodyLimit);
  if (typeof opts.defaultArtifactRoot === 'string') o.defaultArtifactRoot = opts.defaultArtifactRoot;
  if (typeof opts.logLevel === 'string') o.logLevel = opts.logLevel;
  if (typeof opts.serveModels === 'string') o.serveModels = opts.serveModels;
  return loadConfig(o);
}
