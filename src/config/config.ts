import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../errors.js';

/** Everything Ferry's server needs to start. Built from flags and `FERRY_*` environment variables. */
export interface FerryConfig {
  home: string;
  databaseUrl: string;
  artifactsUrl: string;
  host: string;
  port: number;
  /** When on, every route needs an API token. */
  auth: boolean;
  /** Allows binding a non-loopback address without auth. */
  insecure: boolean;
  /** Largest JSON request body in bytes. Artifact uploads stream and are not limited by it. */
  bodyLimit: number;
  /** Artifact URI root new experiments get; `mlflow-artifacts:/` makes clients upload through the server. */
  defaultArtifactRoot: string;
  logLevel: string;
  /** Models to load at startup: comma-separated `NAME=URI` or `URI` (see serving's parseServeModels). '' for none. */
  serveModels: string;
}

/** One row per setting: what the README's configuration table documents. */
export const SETTINGS = [
  ['FERRY_HOME', '--home', './.ferry', 'Folder for the embedded database and artifacts.'],
  ['FERRY_DATABASE_URL', '--database-url', 'sqlite:$FERRY_HOME/ferry.db', 'Metadata database: `sqlite:<path>` or `postgres://user@host:port/db`.'],
  ['FERRY_ARTIFACTS_URL', '--artifacts-url', 'file://$FERRY_HOME/artifacts', 'Artifact store: `file:///abs/path` or `s3://bucket/prefix` (endpoint and keys from `AWS_*`).'],
  ['FERRY_HOST', '--host', '127.0.0.1', 'Address to bind. Non-loopback needs `FERRY_AUTH=on` or `--insecure`.'],
  ['FERRY_PORT', '--port', '5000', 'Port to listen on.'],
  ['FERRY_AUTH', '--auth', 'off', '`on` requires an API token (Bearer or Basic) on every request.'],
  ['FERRY_INSECURE', '--insecure', 'false', 'Allow binding a public address without auth.'],
  ['FERRY_BODY_LIMIT', '--body-limit', '33554432', 'Largest JSON request body, in bytes.'],
  ['FERRY_DEFAULT_ARTIFACT_ROOT', '--default-artifact-root', 'mlflow-artifacts:/', 'Artifact root of new experiments.'],
  ['FERRY_LOG_LEVEL', '--log-level', 'info', 'pino log level (`debug`, `info`, `warn`, `error`, `silent`).'],
  ['FERRY_SERVE_MODELS', '--serve-models', '', 'Models to serve from start: comma-separated `NAME=models:/NAME@alias` or `NAME=/path/to/package`.'],
] as const;

export type ConfigOverrides = Partial<FerryConfig>;

function bool(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (['on', 'true', '1', 'yes'].includes(v.toLowerCase())) return true;
  if (['off', 'false', '0', 'no'].includes(v.toLowerCase())) return false;
  throw new InvalidArgumentError(`${name} must be on or off, got '${v}'`);
}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}

/** Merges defaults < environment < explicit overrides (CLI flags). */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): FerryConfig {
  const home = resolve(overrides.home ?? env.FERRY_HOME ?? './.ferry');
  const port = overrides.port ?? int(env.FERRY_PORT, 'FERRY_PORT') ?? 5000;
  // Flags arrive as Number(text), so `--port abc` is NaN here and must be refused like FERRY_PORT=abc.
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer from 0 to 65535, got ${port}`);
  const bodyLimit = overrides.bodyLimit ?? int(env.FERRY_BODY_LIMIT, 'FERRY_BODY_LIMIT') ?? 32 * 1024 * 1024;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 0) throw new InvalidArgumentError(`body limit must be a non-negative integer (bytes), got ${bodyLimit}`);
  return {
    home,
    databaseUrl: overrides.databaseUrl ?? env.FERRY_DATABASE_URL ?? `sqlite:${resolve(home, 'ferry.db')}`,
    artifactsUrl: overrides.artifactsUrl ?? env.FERRY_ARTIFACTS_URL ?? pathToFileURL(resolve(home, 'artifacts')).href,
    host: overrides.host ?? env.FERRY_HOST ?? '127.0.0.1',
    port,
    auth: overrides.auth ?? bool(env.FERRY_AUTH, 'FERRY_AUTH') ?? false,
    insecure: overrides.insecure ?? bool(env.FERRY_INSECURE, 'FERRY_INSECURE') ?? false,
    bodyLimit,
    defaultArtifactRoot: overrides.defaultArtifactRoot ?? env.FERRY_DEFAULT_ARTIFACT_ROOT ?? 'mlflow-artifacts:/',
    logLevel: overrides.logLevel ?? env.FERRY_LOG_LEVEL ?? 'info',
    serveModels: overrides.serveModels ?? env.FERRY_SERVE_MODELS ?? '',
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Refuses to expose an unauthenticated server beyond this machine unless asked to. */
export function assertSafeBind(config: FerryConfig): void {
  if (!config.auth && !config.insecure && !isLoopback(config.host)) {
    throw new InvalidArgumentError(
      `Refusing to bind ${config.host} without authentication: anyone who can reach it could read and change every experiment. ` +
        'Turn auth on (FERRY_AUTH=on, then create tokens with `ferry tokens create`), bind 127.0.0.1, or pass --insecure if you really mean it.',
    );
  }
}
