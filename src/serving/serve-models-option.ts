import { basename } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { parseModelUri } from '../registry/model-registry.js';
import { isLocalPackageUri } from './package-source.js';
import type { ServedModelSpec } from './serving-types.js';

/**
 * Reads FERRY_SERVE_MODELS / `--serve-models`: a comma-separated list of
 * `NAME=URI` or bare `URI`, where URI is `models:/NAME/VERSION`,
 * `models:/NAME@alias` or a local package directory. A bare registry URI is
 * served under the registered model's name, a bare directory under its folder name.
 *
 * @example parseServeModels('iris=models:/iris@production,/srv/models/churn')
 *   // [{ name: 'iris', spec: { uri: 'models:/iris@production' } }, { name: 'churn', spec: { uri: '/srv/models/churn' } }]
 * @throws InvalidArgumentError for an entry that names no model, or a name given twice.
 */
export function parseServeModels(value: string | undefined): Array<{ name: string; spec: ServedModelSpec }> {
  if (!value || value.trim() === '') return [];
  const seen = new Set<string>();
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const m = /^([^=/:\\]+)=(.+)$/.exec(entry);
      const uri = (m ? m[2]! : entry).trim();
      let name = m?.[1]!.trim();
      if (!name) {
        if (uri.startsWith('models:')) {
          const parsed = parseModelUri(uri);
          if (!('name' in parsed)) throw new InvalidArgumentError(`Serve '${uri}' under a name: NAME=${uri}.`);
          name = parsed.name;
        } else if (isLocalPackageUri(uri)) {
          name = basename(uri.replace(/^file:\/\//, '').replace(/\/+$/, ''));
        }
      }
      if (!name) throw new InvalidArgumentError(`Cannot tell which model to serve from '${entry}': use NAME=models:/NAME@alias or NAME=/path/to/package.`);
      if (seen.has(name)) throw new InvalidArgumentError(`Model name '${name}' is given twice in the models to serve.`);
      seen.add(name);
      return { name, spec: { uri } };
    });
}
