/** Servers, models and traffic for the deployment tests. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/config.js';
import { createDeployments, type Clock, type Deployments } from '../../src/deployments/index.js';
import { saveInputExample } from '../../src/registry/model-package/input-example.js';
import { buildOnnxMlModel, stringifyMlModel } from '../../src/registry/model-package/index.js';
import type { ModelRuntimeFactory } from '../../src/serving/model-runtime.js';
import { createOnnxRuntime } from '../../src/serving/onnx-runtime.js';
import { ServingService } from '../../src/serving/serving-service.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { createServices, type FerryServices } from '../../src/server/services.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModel } from '../helpers/onnx-builder.js';
import type { TestDatabaseKind } from '../helpers/test-database-urls.js';
import { registerPackage } from '../serving/serving-fixtures.js';

export interface HarnessOptions {
  clock?: Clock;
  random?: () => number;
  /** The runtime of the serving service deployments load into (one of their own); default `slowableRuntime`. */
  createRuntime?: ModelRuntimeFactory;
  /** Listen on a loopback port (for the CLI and real HTTP traffic). */
  listen?: boolean;
  /** Reuse this home and database URL (a restart). */
  reuse?: { home: string; databaseUrl: string };
  /** Runs on the reopened services before the server is built and stored deployments load. */
  beforeStart?: (services: FerryServices) => Promise<void>;
}

export interface DeploymentHarness extends ApiHarness {
  deployments: Deployments;
  serving: ServingService;
  metrics: Registry;
  home: string;
  databaseUrl: string;
  /** http://127.0.0.1:PORT when listening. */
  url: string;
  /** Closes the server but keeps its database and home (for a restart test). */
  stop(): Promise<void>;
}

/**
 * A full Ferry server (buildServer) with the deployment routes registered as
 * build-server.ts will register them, on a fresh database of `kind`.
 */
export async function openDeploymentHarness(kind: TestDatabaseKind, options: HarnessOptions = {}): Promise<DeploymentHarness> {
  const home = options.reuse?.home ?? (await mkdtemp(join(tmpdir(), 'ferry-deploy-')));
  const db = options.reuse ? { url: options.reuse.databaseUrl, cleanup: async () => undefined } : await kind.create();
  // An in-memory SQLite database lives as long as its connection; a file survives a restart.
  const databaseUrl = db.url === 'sqlite::memory:' ? `sqlite:${join(home, 'ferry.db')}` : db.url;
  const config = loadConfig({ home, databaseUrl, logLevel: 'silent' });
  const base = await createServices(config);
  await base.deployments.close();
  await base.serving.close();
  const { registry, artifacts, database } = base;
  await options.beforeStart?.(base);
  // A serving service of their own, on the main thread: a worker thread takes half a second to start under tsx.
  const serving = new ServingService({ registry, artifacts, createRuntime: options.createRuntime ?? slowableRuntime });
  const deployments = createDeployments({
    database,
    serving,
    registry,
    artifacts,
    clock: options.clock,
    random: options.random,
  });
  const services: FerryServices = {
    ...base,
    serving,
    deployments,
    close: async () => {
      await deployments.close();
      await serving.close();
      await artifacts.close();
      await database.close();
    },
  };
  // buildServer registers the deployment routes and starts stored deployments, as in production.
  const app: FerryServer = await buildServer(config, { services, logger: false });
  const metrics = new Registry();
  deployments.metrics.register(metrics);
  await app.ready();
  await deployments.start();
  let url = '';
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  const stop = async () => {
    await app.close();
    await services.close();
  };
  return {
    app,
    call: injectCall(app),
    deployments,
    serving,
    metrics,
    home,
    databaseUrl,
    url,
    stop,
    close: async () => {
      await stop();
      await db.cleanup();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A linear model x: FP32 [batch, 4] → y: FP32 [batch, 2]; `bias` tells versions apart, `inputName` other than 'x' breaks every request. */
export function linearPackage(o: { bias?: number[]; inputName?: string; delayMs?: number; example?: number[][] } = {}): Record<string, string | Uint8Array> {
  const bytes = buildLinearModel({ inputs: 4, outputs: 2, bias: o.bias ?? [0.5, 0.5], inputName: o.inputName });
  const example = o.example && saveInputExample(o.example);
  const mlmodel = buildOnnxMlModel({
    modelSizeBytes: bytes.length,
    ...(o.delayMs === undefined ? {} : { metadata: { test_delay_ms: o.delayMs } }),
    ...(example ? { savedInputExampleInfo: example.info } : {}),
  });
  return { MLmodel: stringifyMlModel(mlmodel), 'model.onnx': bytes, ...(example?.files ?? {}) };
}

/**
 * ONNX Runtime on the main thread (a worker thread takes about half a second
 * to start under tsx; these models run in microseconds), slowed down for
 * packages whose MLmodel sets `metadata.test_delay_ms`: each inference waits
 * that long first, off the event loop like a slow model on a worker thread. Test-only.
 */
export const slowableRuntime: ModelRuntimeFactory = (options) => {
  const inner = createOnnxRuntime({ ...options, thread: 'main' });
  let delay = 0;
  return {
    load: async (pkg) => {
      delay = Number((pkg.info.mlmodel.metadata as { test_delay_ms?: number } | undefined)?.test_delay_ms ?? 0);
      return inner.load(pkg);
    },
    infer: async (inputs, outputs) => {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return inner.infer(inputs, outputs);
    },
    unload: () => inner.unload(),
    metadata: () => inner.metadata(),
  };
};

let seq = 0;
/** A model name no other test uses. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid.toString(36)}-${(seq++).toString(36)}`;

/** Registers the packages as versions 1, 2, … of a new model; returns its name. */
export async function registerVersions(h: ApiHarness, prefix: string, packages: Array<Record<string, string | Uint8Array>>): Promise<string> {
  const name = uniqueName(prefix);
  for (const files of packages) await registerPackage(h, name, files);
  return name;
}

/** A deployment document. */
export function deploymentDoc(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'ferry/v1', kind: 'Deployment', metadata: { name }, spec };
}

/** PUTs (applies) a document and expects success. */
export async function applyOk(h: ApiHarness, doc: Record<string, unknown>, dryRun = false): Promise<any> {
  const name = (doc.metadata as { name: string }).name;
  const r = await h.call('PUT', `/api/ferry/v1/deployments/${name}${dryRun ? '?dry_run=true' : ''}`, doc);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

export interface InferAnswer {
  status: number;
  variant: string | undefined;
  version: string | undefined;
  body: any;
}

/** One OIP request with one row to `/deployments/NAME/v2/models/NAME/infer`. */
export async function inferOnce(h: Pick<ApiHarness, 'app'>, name: string, row: number[] = [1, 2, 3, 4], headers: Record<string, string> = {}): Promise<InferAnswer> {
  const res = await h.app.inject({
    method: 'POST',
    url: `/deployments/${name}/v2/models/${name}/infer`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: row }] }),
  });
  return { status: res.statusCode, variant: res.headers['x-ferry-variant'] as string | undefined, version: res.headers['x-ferry-model-version'] as string | undefined, body: res.json() };
}

/** Sends requests `concurrency` at a time until `until()` holds or `max` were sent; returns every answer in order of completion. */
export async function traffic(h: Pick<ApiHarness, 'app'>, name: string, o: { until?: () => boolean; max: number; concurrency?: number; headers?: (i: number) => Record<string, string> }): Promise<InferAnswer[]> {
  const out: InferAnswer[] = [];
  let sent = 0;
  const worker = async () => {
    while (sent < o.max && !(o.until?.() ?? false)) {
      const i = sent++;
      out.push(await inferOnce(h, name, [1, 2, 3, 4], o.headers?.(i) ?? {}));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  return out;
}

/** Polls `check` every 10 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A clock the test moves by hand: timers fire only on `advance`. */
export class ManualClock implements Clock {
  private t = 1_700_000_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves time forward, firing due timers in order; returns how many fired. */
  advance(ms: number): number {
    this.t += ms;
    const due = this.timers.filter((t) => t.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.t);
    due.forEach((t) => t.fn());
    return due.length;
  }
}
