import assert from 'node:assert/strict';
/** Model packages for the model-package tests: MLflow-written fixtures and throwaway package folders. */
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../../src/errors.js';
import { LocalArtifactStore } from '../../../src/backends/artifacts/local-artifact-store.js';

/** Packages written by the real MLflow clients (see test/fixtures/mlflow-onnx-package/generate.py). */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/mlflow-onnx-package/', import.meta.url));

export const fixtureDir = (name: string) => join(FIXTURES, name);

export async function readFixture(name: string, file = 'MLmodel'): Promise<string> {
  return readFile(join(FIXTURES, name, file), 'utf8');
}

/** Every file of a fixture package, by relative name. */
export async function fixtureFiles(name: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const f of await readdir(join(FIXTURES, name))) files[f] = await readFile(join(FIXTURES, name, f));
  return files;
}

/** A temp folder holding `files`; `cleanup` removes it. */
export async function writePackageDir(files: Record<string, string | Uint8Array>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-package-'));
  for (const [name, body] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), body);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A local artifact store in a temp folder with `files` under `packagePath`. */
export async function storeWithPackage(packagePath: string, files: Record<string, string | Uint8Array>) {
  const root = await mkdtemp(join(tmpdir(), 'ferry-store-'));
  const store = new LocalArtifactStore(root);
  for (const [name, body] of Object.entries(files)) await store.put(`${packagePath}/${name}`, Buffer.from(body));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Awaits a rejection and checks it is an InvalidArgumentError with `details.reason` and a message matching `pattern`. */
export async function refusal(promise: Promise<unknown>, reason: string, pattern: RegExp): Promise<InvalidArgumentError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(caught)}`);
  assert.equal(caught.details?.reason, reason, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}
