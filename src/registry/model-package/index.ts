/** Model packages in MLflow's MLmodel layout: what other modules (the registry, serving, the SDK) may import. */
export { inspectModelPackage, loadModelPackage, loadModelPackageDir, validateModelPackageDir } from './inspect-model-package.js';
export type { InspectOptions, LoadedModelPackage, ModelPackageInfo } from './inspect-model-package.js';
export {
  DEFAULT_ONNX_VERSION,
  DEFAULT_PYTHON_VERSION,
  MLFLOW_LAYOUT_VERSION,
  buildOnnxMlModel,
  onnxEnvironmentFiles,
  parseMlModel,
  stringifyMlModel,
  utcTimeCreated,
} from './mlmodel.js';
export type { InputExampleInfo, MlModel, OnnxMlModelInput } from './mlmodel.js';
export { decodeSignature, encodeSignature, isTensorSpec, normalizeSignature } from './model-signature.js';
export type { ColumnSpec, ModelSignature, ParamSpec, SchemaEntry, TensorSpec } from './model-signature.js';
export { externalDataFilesOf, inferOnnxSignature, inspectOnnxModel, onnxRuntimeVersion, tensorSpecOf } from './onnx-signature.js';
export type { OnnxModelInfo, OnnxProblem, OnnxValueInfo } from './onnx-signature.js';
export { signatureMismatches } from './signature-check.js';
export { PyFloat, dumpPyYaml, pythonJsonDumps } from './python-compat.js';
