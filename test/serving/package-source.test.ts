import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError, NotFoundError } from '../../src/errors.js';
import { isLocalPackageUri, locatePackage } from '../../src/serving/package-source.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModelWithExternalData } from '../helpers/onnx-builder.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { writePackageDir } from '../registry/model-package/package-fixtures.js';
import { packageFiles, registerPackage, torchFixtureDir } from './serving-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

describe('locatePackage', () => {
  let h: ApiHarness;
  before(async () => {
    h = await openApiHarness(sqlite);
  });
  after(async () => h.close());
  const deps = () => ({ registry: h.app.services.registry, artifacts: h.app.services.artifacts });

  it('reads a local directory, given as a path or a file: URI, with the graph bytes and signature', async () => {
    for (const uri of [torchFixtureDir('torch-mlp'), pathToFileURL(torchFixtureDir('torch-mlp')).href]) {
      const located = await locatePackage(uri, deps());
      assert.equal(located.version, '1');
      const pkg = await located.read();
      assert.deepEqual(pkg.info.flavors, ['onnx', 'python_function']);
      assert.ok(pkg.onnx && pkg.onnx.bytes.length > 100);
      assert.deepEqual(pkg.info.signature?.inputs, [{ name: 'x', dtype: 'float32', shape: [-1, 6] }]);
    }
  });

  it('reads a registered version from the artifact store, external data included', async () => {
    const built = buildLinearModelWithExternalData({ inputs: 3, outputs: 2, externalFile: 'weights.bin' });
    const files = { ...packageFiles(built.bytes), ...Object.fromEntries(built.externalData) };
    const version = await registerPackage(h, 'located', files);
    const located = await locatePackage(`models:/located/${version}`, deps());
    assert.equal(located.version, String(version));
    const pkg = await located.read();
    assert.deepEqual([...pkg.onnx!.externalData.keys()], ['weights.bin']);
  });

  it('says which locations it cannot read', async () => {
    await h.call('POST', '/api/2.0/mlflow/registered-models/create', { name: 'remote' });
    const mv = await h.call('POST', '/api/2.0/mlflow/model-versions/create', { name: 'remote', source: 's3://bucket/models/remote' });
    assert.equal(mv.status, 200, JSON.stringify(mv.body));
    const located = await locatePackage('models:/remote/1', deps());
    await assert.rejects(located.read(), (err: Error) => err instanceof InvalidArgumentError && /s3:\/\/bucket\/models\/remote', which this server cannot read/.test(err.message));
  });

  it('refuses a URI that names nothing, or a scheme it does not serve', async () => {
    await assert.rejects(locatePackage('models:/absent/1', deps()), NotFoundError);
    await assert.rejects(locatePackage('models:/absent/1', {}), /has no model registry/);
    await assert.rejects(locatePackage('runs:/abc/model', deps()), /Cannot serve 'runs:\/abc\/model'/);
    const { dir, cleanup } = await writePackageDir({ 'README.md': 'not a package' });
    try {
      await assert.rejects((await locatePackage(dir, deps())).read(), /No MLmodel file/);
    } finally {
      await cleanup();
    }
  });

  it('tells local paths from URIs', () => {
    assert.equal(isLocalPackageUri('/srv/m'), true);
    assert.equal(isLocalPackageUri('relative/m'), true);
    assert.equal(isLocalPackageUri('file:///srv/m'), true);
    assert.equal(isLocalPackageUri('models:/m/1'), false);
    assert.equal(isLocalPackageUri('s3://b/m'), false);
  });
});
