import { normalizeArtifactPath, proxyPathOf } from '../backends/artifacts/artifact-path.js';
import { InvalidArgumentError } from '../errors.js';
import { saveInputExample, type InputExample } from '../registry/model-package/input-example.js';
import { buildOnnxMlModel, onnxEnvironmentFiles, stringifyMlModel } from '../registry/model-package/mlmodel.js';
import { normalizeSignature, type ModelSignature } from '../registry/model-package/model-signature.js';
import { externalDataFilesOf, inferOnnxSignature, inspectOnnxModel } from '../registry/model-package/onnx-signature.js';
import { signatureMismatches } from '../registry/model-package/signature-check.js';
import { FERRY_VERSION } from '../version.js';
import type { ArtifactsApi } from './artifacts-api.js';
import type { RunsApi } from './ferry-client.js';
import type { HttpClient, Json, RequestBody } from './http-client.js';
import { toTagList, type TagsInput } from './mlflow-decode.js';

export type { InputExample } from '../registry/model-package/input-example.js';
export type { ModelSignature } from '../registry/model-package/model-signature.js';

export interface LogModelOptions {
  /** Folder of the package in the run's artifacts, and the model's default name (default `model`). */
  artifactPath?: string;
  /** The logged model's name; default `artifactPath` (MLflow 3 resolves `runs:/<run>/<name>` by it). */
  name?: string;
  /** Checked against the graph; inferred from the graph when omitted. */
  signature?: ModelSignature;
  inputExample?: InputExample;
  /** User metadata for MLmodel; Ferry adds its own under `ferry`. */
  metadata?: Record<string, unknown>;
  /** Tags for the logged model, beside those copied from the run (user, source). */
  tags?: TagsInput;
  modelType?: string;
  /** Python version written for the pyfunc flavor and its environment (default 3.11). */
  pythonVersion?: string;
  /**
   * Also copy the package into the run's own artifacts under `artifactPath`
   * (default true), so `runs:/<run>/<artifactPath>` resolves by path for any
   * client. MLflow 3 keeps it under the logged model only.
   */
  copyToRunArtifacts?: boolean;
}

export interface LoggedOnnxModel {
  /** `runs:/<run_id>/<artifactPath>`. */
  modelUri: string;
  /** The MLflow 3 logged model (`m-…`); `models:/<id>` also names the package. */
  loggedModelId: string;
  /** Where the package lives: the logged model's artifact URI. */
  artifactUri: string;
  signature: ModelSignature;
  /** True when the signature came from the graph rather than the caller. */
  signatureInferred: boolean;
  warnings: string[];
}

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');
/** Run tags MLflow's log_model copies onto the logged model (its context tags). */
const CONTEXT_TAGS = ['mlflow.user', 'mlflow.source.name', 'mlflow.source.type', 'mlflow.source.git.commit'];

/** ONNX models: MLflow 3's logged models, written in the layout `mlflow.onnx.log_model` produces. */
export class ModelsApi {
  constructor(
    private readonly http: HttpClient,
    private readonly runs: RunsApi,
    private readonly artifacts: ArtifactsApi,
  ) {}

  /**
   * Logs an ONNX model to a run as `mlflow.onnx.log_model` does in MLflow 3:
   * creates a logged model, links it to the run as an output, uploads the
   * package (MLmodel, model.onnx, input example, requirements and
   * environment files) to the logged model's artifact location, and marks
   * it ready (or upload-failed, if an upload fails).
   *
   * The graph is opened with onnxruntime-node first: bytes it cannot load,
   * or a signature that disagrees with the graph, throw InvalidArgumentError
   * before anything is created on the server.
   *
   * @example
   * const { modelUri } = await ferry.models.log(run.id, onnxBytes, { inputExample: [[1, 2, 3, 4]] });
   */
  async log(runId: string, onnxBytes: Uint8Array, options: LogModelOptions = {}): Promise<LoggedOnnxModel> {
    const artifactPath = normalizeArtifactPath(options.artifactPath ?? 'model');
    if (artifactPath === '') throw new InvalidArgumentError('artifactPath must name a folder, e.g. "model".');
    const external = externalDataFilesOf(onnxBytes);
    if (external.length > 0) {
      throw new InvalidArgumentError(
        `The ONNX model keeps tensors in external files (${external.join(', ')}); save it with all tensors inline to log it as bytes.`,
        { details: { reason: 'onnx_external_data' } },
      );
    }
    const onnx = await inspectOnnxModel(onnxBytes);
    const warnings: string[] = [];
    let signature: ModelSignature;
    if (options.signature) {
      signature = normalizeSignature(options.signature);
      const problems = signatureMismatches(signature, onnx);
      if (problems.length > 0) {
        throw new InvalidArgumentError(`The signature disagrees with the ONNX graph: ${problems.join('; ')}.`, { details: { reason: 'signature_mismatch', problems } });
      }
    } else {
      const inferred = inferOnnxSignature(onnx);
      signature = inferred.signature;
      warnings.push(...inferred.warnings);
    }
    const example = options.inputExample === undefined ? undefined : saveInputExample(options.inputExample, signature);

    const run = await this.runs.get(runId);
    const name = options.name ?? artifactPath;
    const created = await this.http.mlflow<{ model: { info: Json } }>('POST', '/logged-models', {
      experiment_id: run.info.experimentId,
      name,
      source_run_id: runId,
      model_type: options.modelType,
      params: run.data.params,
      tags: [...run.data.tags.filter((t) => CONTEXT_TAGS.includes(t.key)), ...toTagList(options.tags)],
    });
    const modelId = String(created.model.info.model_id);
    const artifactUri = String(created.model.info.artifact_uri);
    try {
      await this.http.mlflow('POST', '/runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 0 }] }, { idempotent: true });
      await this.copyStepMetrics(runId, modelId, run.data.metrics.map((m) => m.key));

      const files: Record<string, string | Uint8Array> = { 'model.onnx': onnxBytes, ...example?.files };
      const size = Object.values(files).reduce((n, f) => n + Buffer.byteLength(f), 0);
      const mlmodel = buildOnnxMlModel({
        artifactPath: artifactUri,
        runId,
        modelId,
        signature,
        savedInputExampleInfo: example?.info,
        pythonVersion: options.pythonVersion,
        // MLflow counts the files written before MLmodel: the graph and the examples.
        modelSizeBytes: size,
        metadata: {
          ...options.metadata,
          ferry: { ferry_version: FERRY_VERSION, signature_inferred: !options.signature, onnx_ir_version: onnx.irVersion, onnx_opset: onnx.opset },
        },
      });
      Object.assign(files, { MLmodel: stringifyMlModel(mlmodel), ...onnxEnvironmentFiles(options.pythonVersion) });
      await this.uploadAll(artifactUri, files);
      if (options.copyToRunArtifacts ?? true) {
        for (const [file, body] of Object.entries(files)) await this.artifacts.upload(runId, `${artifactPath}/${file}`, body);
      }
    } catch (err) {
      await this.finalize(modelId, 'LOGGED_MODEL_UPLOAD_FAILED').catch(() => undefined);
      throw err;
    }
    await this.finalize(modelId, 'LOGGED_MODEL_READY');
    return { modelUri: `runs:/${runId}/${artifactPath}`, loggedModelId: modelId, artifactUri, signature, signatureInferred: !options.signature, warnings };
  }

  /** MLflow 3's log_model re-logs the run's step-0 metrics against the new model, so the model shows them. */
  private async copyStepMetrics(runId: string, modelId: string, keys: string[]): Promise<void> {
    const points: Json[] = [];
    for (const key of new Set(keys)) {
      let pageToken: string | undefined;
      do {
        const page = await this.http.mlflow<{ metrics?: Json[]; next_page_token?: string }>('GET', '/metrics/get-history', {
          run_id: runId,
          metric_key: key,
          max_results: 25_000,
          page_token: pageToken,
        });
        for (const m of page.metrics ?? []) if (Number(m.step ?? 0) === 0 && !m.model_id) points.push({ ...m, model_id: modelId });
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
    }
    for (let i = 0; i < points.length; i += 1000) {
      await this.http.mlflow('POST', '/runs/log-batch', { run_id: runId, metrics: points.slice(i, i + 1000) }, { idempotent: true });
    }
  }

  private async uploadAll(artifactUri: string, files: Record<string, string | Uint8Array>): Promise<void> {
    const root = proxyPathOf(artifactUri);
    if (root === undefined) {
      throw new InvalidArgumentError(
        `The logged model keeps its artifacts at '${artifactUri}', which the server does not proxy; only mlflow-artifacts:/ locations can be written through Ferry.`,
      );
    }
    for (const [file, body] of Object.entries(files)) {
      const res = await this.http.send('PUT', `${PROXY}/${encodePath(`${root}/${file}`)}`, {
        body: () => body as RequestBody,
        timeoutMs: 0,
        headers: { 'content-type': 'application/octet-stream' },
      });
      await res.body?.cancel().catch(() => undefined);
    }
  }

  private async finalize(modelId: string, status: 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED'): Promise<void> {
    const res = await this.http.send('PATCH', `/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`, {
      body: () => JSON.stringify({ model_id: modelId, status }),
      headers: { 'content-type': 'application/json' },
      idempotent: true,
    });
    await res.body?.cancel().catch(() => undefined);
  }
}
