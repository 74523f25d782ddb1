import type { Command } from 'commander';
import { assertSafeBind } from '../../config/config.js';
import { redactUrl } from '../../backends/database/database.js';
import { buildServer } from '../../server/build-server.js';
import { configFrom, withStoreOptions } from '../config-options.js';

export function registerServerCommand(program: Command): void {
  withStoreOptions(
    program
      .command('server')
      .description('Start the Ferry server (MLflow-compatible tracking API, artifact proxy, Ferry API).')
      .option('--host <host>', 'address to bind (FERRY_HOST, default 127.0.0.1)')
      .option('-p, --port <port>', 'port (FERRY_PORT, default 5000)')
      .option('--auth <on|off>', 'require API tokens (FERRY_AUTH)')
      .option('--insecure', 'allow a non-loopback address without auth')
      .option('--body-limit <bytes>', 'largest JSON request body (FERRY_BODY_LIMIT)')
      .option('--default-artifact-root <uri>', 'artifact root for new experiments (default mlflow-artifacts:/)')
      .option('--log-level <level>', 'debug, info, warn, error or silent (FERRY_LOG_LEVEL)')
      .option('--serve-models <list>', 'models to serve from start: NAME=models:/NAME@alias,… (FERRY_SERVE_MODELS)'),
  ).action(async (opts: Record<string, unknown>) => {
    const config = configFrom(opts);
    assertSafeBind(config);
    const app = await buildServer(config, { logger: { level: config.logLevel } });
    const stop = async (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    await app.listen({ host: config.host, port: config.port });
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    process.stdout.write(
      `Ferry is running at ${url}\n` +
        `  metadata:  ${redactUrl(config.databaseUrl)}\n` +
        `  artifacts: ${config.artifactsUrl}\n` +
        `  auth:      ${config.auth ? 'on' : 'off (loopback only)'}\n` +
        `Open ${url}/ for the web UI; point MLflow at it: export MLFLOW_TRACKING_URI=${url}\n`,
    );
  });
}
