import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import { decodeSignature, encodeSignature, type ModelSignature } from './model-signature.js';
import { dumpPyYaml, loadPyYaml } from './python-compat.js';

/** The MLflow version whose MLmodel layout and requirements Ferry writes. */
export const MLFLOW_LAYOUT_VERSION = '3.11.1';

/** The onnx package version recorded in the onnx flavor (MLflow records the saver's `onnx.__version__`; only informational). */
export const DEFAULT_ONNX_VERSION = '1.17.0';

/** Python version recorded for the pyfunc flavor and its environment files when the caller names none. */
export const DEFAULT_PYTHON_VERSION = '3.11';

/** MLmodel's `saved_input_example_info`. */
export interface InputExampleInfo {
  /** File name inside the package, normally `input_example.json`. */
  artifactPath: string;
  /** `ndarray`, `dataframe`, `json_object`, `sparse_matrix_csc`, `sparse_matrix_csr`. */
  type: string;
  /** `split` or `values`, for a dataframe. */
  pandasOrient?: string;
  /** Older MLflow wrote `tf-serving` for a dict of tensors. */
  format?: string;
  /** MLflow ≥ 2.16 also saves the example as a scoring request, normally `serving_input_example.json`. */
  servingInputPath?: string;
  /** Any other key, kept as read. */
  extra?: Record<string, unknown>;
}

/** An MLmodel file: the metadata of an MLflow model package. */
export interface MlModel {
  /** Where the model was logged: a run-relative path (MLflow 2) or the logged model's artifact URI (MLflow 3). */
  artifactPath?: string;
  runId?: string;
  /** The MLflow 3 logged model id (`m-…`). */
  modelId?: string | null;
  modelUuid?: string;
  /** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC. */
  utcTimeCreated?: string;
  mlflowVersion?: string;
  /** Each flavor's configuration by name (`onnx`, `python_function`, `sklearn`…). */
  flavors: Record<string, Record<string, unknown>>;
  signature?: ModelSignature;
  savedInputExampleInfo?: InputExampleInfo;
  /** User metadata; Ferry's own lives under `metadata.ferry`. */
  metadata?: Record<string, unknown>;
  modelSizeBytes?: number;
  /** Every other top-level key (prompts, env_vars, resources, is_signature_from_type_hint…), kept as read. */
  extra: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

const KNOWN = new Set([
  'artifact_path',
  'run_id',
  'model_id',
  'model_uuid',
  'utc_time_created',
  'mlflow_version',
  'flavors',
  'signature',
  'saved_input_example_info',
  'metadata',
  'model_size_bytes',
]);

function decodeExampleInfo(v: unknown): InputExampleInfo {
  if (!isRecord(v) || typeof v.artifact_path !== 'string') {
    throw new InvalidArgumentError('MLmodel "saved_input_example_info" must be a mapping with an artifact_path.');
  }
  const { artifact_path, type, pandas_orient, format, serving_input_path, ...extra } = v;
  const info: InputExampleInfo = { artifactPath: artifact_path, type: String(type ?? '') };
  if (pandas_orient !== undefined) info.pandasOrient = String(pandas_orient);
  if (format !== undefined) info.format = String(format);
  if (serving_input_path !== undefined) info.servingInputPath = String(serving_input_path);
  if (Object.keys(extra).length > 0) info.extra = extra;
  return info;
}

function encodeExampleInfo(info: InputExampleInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { artifact_path: info.artifactPath, type: info.type, ...info.extra };
  if (info.pandasOrient !== undefined) out.pandas_orient = info.pandasOrient;
  if (info.format !== undefined) out.format = info.format;
  if (info.servingInputPath !== undefined) out.serving_input_path = info.servingInputPath;
  return out;
}

/**
 * Reads an MLmodel file as MLflow does (`yaml.safe_load`, then the
 * signature's JSON strings).
 * @throws InvalidArgumentError naming what is wrong: not YAML, not a mapping, no flavors, a bad signature.
 */
export function parseMlModel(text: string): MlModel {
  let doc: unknown;
  try {
    doc = loadPyYaml(text);
  } catch (err) {
    throw new InvalidArgumentError(`MLmodel is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { details: { reason: 'mlmodel_invalid' } });
  }
  if (!isRecord(doc)) throw new InvalidArgumentError('MLmodel must be a YAML mapping (flavors, signature, …).', { details: { reason: 'mlmodel_invalid' } });
  const flavors = doc.flavors;
  if (!isRecord(flavors) || Object.keys(flavors).length === 0) {
    throw new InvalidArgumentError('MLmodel has no "flavors" mapping: it does not say how to load the model.', { details: { reason: 'mlmodel_invalid' } });
  }
  for (const [name, conf] of Object.entries(flavors)) {
    if (!isRecord(conf)) throw new InvalidArgumentError(`MLmodel flavor "${name}" must be a mapping.`, { details: { reason: 'mlmodel_invalid' } });
  }
  const model: MlModel = { flavors: flavors as Record<string, Record<string, unknown>>, extra: {} };
  try {
    if (doc.signature !== undefined && doc.signature !== null) model.signature = decodeSignature(doc.signature);
    if (doc.saved_input_example_info !== undefined && doc.saved_input_example_info !== null) {
      model.savedInputExampleInfo = decodeExampleInfo(doc.saved_input_example_info);
    }
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(err.message, { details: { reason: 'mlmodel_invalid' } });
    throw err;
  }
  model.artifactPath = optString(doc.artifact_path);
  model.runId = optString(doc.run_id);
  if ('model_id' in doc) model.modelId = optString(doc.model_id) ?? null;
  model.modelUuid = optString(doc.model_uuid);
  model.utcTimeCreated = optString(doc.utc_time_created);
  model.mlflowVersion = optString(doc.mlflow_version);
  if (isRecord(doc.metadata)) model.metadata = doc.metadata;
  if (typeof doc.model_size_bytes === 'number') model.modelSizeBytes = doc.model_size_bytes;
  for (const [k, v] of Object.entries(doc)) if (!KNOWN.has(k)) model.extra[k] = v;
  for (const k of Object.keys(model) as Array<keyof MlModel>) if (model[k] === undefined) delete model[k];
  return model;
}

/** Writes an MLmodel file byte for byte as MLflow's `Model.save` would (sorted keys, signature as JSON strings). */
export function stringifyMlModel(model: MlModel): string {
  const doc: Record<string, unknown> = { ...model.extra, flavors: model.flavors };
  if (model.artifactPath !== undefined) doc.artifact_path = model.artifactPath;
  if (model.runId !== undefined) doc.run_id = model.runId;
  if (model.modelId !== undefined) doc.model_id = model.modelId;
  if (model.modelUuid !== undefined) doc.model_uuid = model.modelUuid;
  if (model.utcTimeCreated !== undefined) doc.utc_time_created = model.utcTimeCreated;
  if (model.mlflowVersion !== undefined) doc.mlflow_version = model.mlflowVersion;
  if (model.signature !== undefined) doc.signature = encodeSignature(model.signature);
  if (model.savedInputExampleInfo !== undefined) doc.saved_input_example_info = encodeExampleInfo(model.savedInputExampleInfo);
  if (model.metadata !== undefined) doc.metadata = model.metadata;
  if (model.modelSizeBytes !== undefined) doc.model_size_bytes = model.modelSizeBytes;
  return dumpPyYaml(doc);
}

/** MLflow's `utc_time_created`: `str(datetime.utcnow())`. */
export function utcTimeCreated(date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace('Z', '000');
}

export interface OnnxMlModelInput {
  /** File name of the graph inside the package (default `model.onnx`). */
  data?: string;
  /** onnx package version recorded in the flavor (MLflow writes `onnx.__version__`). */
  onnxVersion?: string;
  providers?: string[];
  pythonVersion?: string;
  signature?: ModelSignature;
  savedInputExampleInfo?: InputExampleInfo;
  metadata?: Record<string, unknown>;
  artifactPath?: string;
  runId?: string;
  modelId?: string;
  modelUuid?: string;
  modelSizeBytes?: number;
  utcTimeCreated?: string;
}

/**
 * The MLmodel that `mlflow.onnx.log_model` writes in MLflow 3: the `onnx`
 * flavor plus a `python_function` flavor loaded by `mlflow.onnx`.
 */
export function buildOnnxMlModel(input: OnnxMlModelInput): MlModel {
  const data = input.data ?? 'model.onnx';
  const model: MlModel = {
    flavors: {
      onnx: {
        code: null,
        data,
        onnx_session_options: null,
        onnx_version: input.onnxVersion ?? DEFAULT_ONNX_VERSION,
        providers: input.providers ?? ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      },
      python_function: {
        data,
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        loader_module: 'mlflow.onnx',
        python_version: input.pythonVersion ?? DEFAULT_PYTHON_VERSION,
      },
    },
    modelUuid: input.modelUuid ?? input.modelId ?? randomUUID().replace(/-/g, ''),
    modelId: input.modelId ?? null,
    utcTimeCreated: input.utcTimeCreated ?? utcTimeCreated(),
    mlflowVersion: MLFLOW_LAYOUT_VERSION,
    extra: { prompts: null },
  };
  if (input.artifactPath !== undefined) model.artifactPath = input.artifactPath;
  if (input.runId !== undefined) model.runId = input.runId;
  if (input.signature !== undefined) {
    model.signature = input.signature;
    model.extra.is_signature_from_type_hint = false;
    model.extra.type_hint_from_example = false;
  }
  if (input.savedInputExampleInfo !== undefined) model.savedInputExampleInfo = input.savedInputExampleInfo;
  if (input.metadata !== undefined) model.metadata = input.metadata;
  if (input.modelSizeBytes !== undefined) model.modelSizeBytes = input.modelSizeBytes;
  return model;
}

/** The pip requirements, conda.yaml and python_env.yaml that MLflow writes beside an ONNX model. */
export function onnxEnvironmentFiles(pythonVersion = DEFAULT_PYTHON_VERSION): Record<string, string> {
  const requirements = [`mlflow==${MLFLOW_LAYOUT_VERSION}`, 'onnx', 'onnxruntime'];
  return {
    'requirements.txt': requirements.join('\n'),
    'conda.yaml': dumpPyYaml({
      channels: ['conda-forge'],
      dependencies: [`python=${pythonVersion}`, 'pip', { pip: requirements }],
      name: 'mlflow-env',
    }),
    // MLflow writes python_env.yaml unsorted: python, build_dependencies, dependencies.
    'python_env.yaml': `python: ${pythonVersion}\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n`,
  };
}
