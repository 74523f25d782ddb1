import type { Command } from 'commander';
import { redactUrl } from '../../backends/database/database.js';
import { assertSafeBind } from '../../config/config.js';
import { InvalidArgumentError } from '../../errors.js';
import { buildServeServer } from '../../server/build-serve-server.js';
import { configFrom, withStoreOptions } from '../config-options.js';

function integer(flag: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'.`);
  return n;
}

/**
 * `ferry serve MODEL_URI`: one model as a standalone replica, like `mlflow models serve`.
 * Needs only read access to the registry's database and artifact store.
 */
export function registerServeCommand(program: Command): void {
  withStoreOptions(
    program
      .command('serve')
      .argument('<model-uri>', 'models:/NAME/VERSION, models:/NAME@alias, or a local package directory')
      .description('Serve one model over the Open Inference Protocol (/v2) and MLflow scoring (/invocations), with /metrics.')
      .option('--name <name>', 'name to serve the model under (default: the registered model name)')
      .option('--host <host>', 'address to bind (FERRY_HOST, default 127.0.0.1)')
      .option('-p, --port <port>', 'port (default 8080)', '8080')
      .option('--auth <on|off>', 'require API tokens (FERRY_AUTH)')
      .option('--insecure', 'allow a non-loopback address without auth')
      .option('--max-batch-size <n>', 'most rows one runtime call combines; 1 turns batching off (default 64)')
      .option('--max-queue-delay-ms <ms>', 'how long a request may wait for others to fill a batch (default 0)')
      .option('--log-level <level>', 'debug, info, warn, error or silent (FERRY_LOG_LEVEL)'),
  ).action(async (uri: string, opts: Record<string, unknown>) => {
    const config = configFrom(opts);
    assertSafeBind(config);
    const maxBatchSize = integer('--max-batch-size', opts.maxBatchSize, 1);
    const delay = opts.maxQueueDelayMs === undefined ? undefined : Number(opts.maxQueueDelayMs);
    if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0)) throw new InvalidArgumentError(`--max-queue-delay-ms must be a number ≥ 0; got '${String(opts.maxQueueDelayMs)}'.`);
    const batching = { ...(maxBatchSize === undefined ? {} : { maxBatchSize }), ...(delay === undefined ? {} : { maxQueueDelayMs: delay }) };
    const app = await buildServeServer(config, { uri, name: typeof opts.name === 'string' ? opts.name : undefined, batching, logger: { level: config.logLevel } });
    const stop = async (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const version = app.serving.model(app.modelName).version;
    process.stdout.write(
      `Serving model '${app.modelName}' version ${version} (${uri}) at ${url}\n` +
        `  metadata:  ${redactUrl(config.databaseUrl)} (read only)\n` +
        `  artifacts: ${config.artifactsUrl}\n` +
        `  auth:      ${config.auth ? 'on' : 'off (loopback only)'}\n` +
        `  MLflow:    POST ${url}/invocations   OIP: POST ${url}/v2/models/${encodeURIComponent(app.modelName)}/infer\n`,
    );
  });
}
