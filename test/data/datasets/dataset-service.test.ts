import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DatasetService } from '../../../src/data/datasets/dataset-service.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../src/errors.js';
import { describeEachDatabase } from '../../helpers/test-databases.js';
import { buildRegistration, digestOf, uniqueName } from './dataset-fixtures.js';

describeEachDatabase('DatasetService', (getDatabase) => {
  let datasets: DatasetService;
  let now = 1_000;
  before(() => {
    datasets = new DatasetService(getDatabase(), () => now++);
  });

  describe('.register', () => {
    it('creates version 1, answers the same version for the same digest, and version 2 for a new one', async () => {
      const input = buildRegistration({ description: 'first cut', tags: { split: 'train' }, profile: { num_rows: 3 } });
      const first = await datasets.register(input);
      assert.equal(first.created, true);
      assert.equal(first.version.version, 1);
      assert.equal(first.version.digest, input.digest);
      assert.deepEqual(first.version.tags, { split: 'train' });
      assert.deepEqual(first.version.schema, input.schema);
      assert.deepEqual(first.version.profile, { num_rows: 3 });

      const again = await datasets.register({ ...input, source: 's3://elsewhere/train.parquet', description: 'ignored' });
      assert.equal(again.created, false);
      assert.equal(again.version.version, 1);
      assert.equal(again.version.source, 'data/train.parquet', 'the existing version is answered unchanged');

      const second = await datasets.register({ ...input, digest: digestOf(`${input.name}-2`), size: 99 });
      assert.deepEqual([second.created, second.version.version, second.version.size], [true, 2, 99]);

      const dataset = await datasets.get(input.name);
      assert.equal(dataset.versionCount, 2);
      assert.equal(dataset.latestVersion?.version, 2);
      assert.equal(dataset.description, 'first cut', 'a new dataset takes its first version’s description');
    });

    it('refuses one digest registered with another size, kind or file count', async () => {
      const input = buildRegistration();
      await datasets.register(input);
      await assert.rejects(datasets.register({ ...input, size: input.size + 1 }), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.match(err.message, /already version 1 .* 1234 bytes/);
        return true;
      });
    });

    it('numbers concurrent registrations of new digests 1..N without duplicates', async () => {
      const name = uniqueName('concurrent');
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => datasets.register(buildRegistration({ name, digest: digestOf(`${name}-${i}`) }))));
      assert.deepEqual(results.map((r) => r.version.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      assert.ok(results.every((r) => r.created));
    });

    it('answers one version when the same digest is registered concurrently', async () => {
      const input = buildRegistration();
      const results = await Promise.all(Array.from({ length: 4 }, () => datasets.register(input)));
      assert.deepEqual(new Set(results.map((r) => r.version.version)), new Set([1]));
      assert.equal(results.filter((r) => r.created).length, 1);
    });

    it('never reuses the number of a deleted version', async () => {
      const input = buildRegistration();
      await datasets.register(input);
      const v2 = await datasets.register({ ...input, digest: digestOf(`${input.name}-b`) });
      await datasets.deleteVersion(input.name, v2.version.version);
      const v3 = await datasets.register({ ...input, digest: digestOf(`${input.name}-c`) });
      assert.equal(v3.version.version, 3);
      const again = await datasets.register({ ...input, digest: digestOf(`${input.name}-b`) });
      assert.deepEqual([again.created, again.version.version], [true, 4], 'a deleted digest comes back as a new version');
    });

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a name with a slash', { name: 'a/b' }, /Invalid dataset name 'a\/b'/],
      ['a name starting with a dot', { name: '.hidden' }, /Invalid dataset name/],
      ['a missing name', { name: undefined }, /Missing dataset 'name'/],
      ['a short digest', { digest: 'sha256:abc' }, /sha256:<64 lowercase hex digits>/],
      ['an md5 digest', { digest: `md5:${'a'.repeat(32)}` }, /Invalid digest/],
      ['a negative size', { size: -1 }, /'size' must be a non-negative integer/],
      ['a fractional file count', { files: 1.5 }, /'files' must be a non-negative integer/],
      ['a file of two files', { files: 2 }, /A 'file' dataset has files = 1/],
      ['an unknown kind', { kind: 'folder' }, /'kind' must be 'file' or 'directory'/],
      ['a non-string tag', { tags: { n: 1 } }, /Tag 'n' needs a string value/],
      ['a schema without columns', { schema: { format: 'parquet' } }, /'schema' must be \{columns/],
      ['a profile that is a list', { profile: [1, 2] }, /'profile' must be a JSON object/],
    ];
    for (const [what, change, message] of invalid) {
      it(`rejects ${what} with a message saying what to fix`, async () => {
        await assert.rejects(datasets.register({ ...buildRegistration(), ...change } as never), (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError, String(err));
          assert.match(err.message, message);
          return true;
        });
      });
    }
  });

  describe('.getVersion', () => {
    it('finds a version by number and `latest`, and says what is missing', async () => {
      const input = buildRegistration();
      await datasets.register(input);
      await datasets.register({ ...input, digest: digestOf(`${input.name}-2`) });
      assert.equal((await datasets.getVersion(input.name, 'latest')).version, 2);
      assert.equal((await datasets.getVersion(input.name, '1')).digest, input.digest);
      await assert.rejects(datasets.getVersion(input.name, 7), /has no version 7/);
      await assert.rejects(datasets.getVersion('no-such-dataset', 1), (err: unknown) => err instanceof NotFoundError && /No dataset 'no-such-dataset'/.test(err.message));
      await assert.rejects(datasets.getVersion(input.name, 'first'), /expected a positive integer or 'latest'/);
    });
  });

  describe('.list', () => {
    it('pages through names in byte order, filtered by any-case substring', async () => {
      const stem = uniqueName('Pager');
      for (const suffix of ['c', 'A', 'b_x', 'bax']) await datasets.register(buildRegistration({ name: `${stem}-${suffix}` }));
      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await datasets.list({ nameContains: stem.toLowerCase(), maxResults: 3, pageToken });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((d) => d.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      assert.deepEqual(seen, [`${stem}-A`, `${stem}-b_x`, `${stem}-bax`, `${stem}-c`]);
      const literal = await datasets.list({ nameContains: `${stem}-b_` });
      assert.deepEqual(literal.items.map((d) => d.name), [`${stem}-b_x`], "'_' matches itself, not any character");
      assert.deepEqual((await datasets.list({ nameContains: '%' })).items, [], "'%' matches itself");
      assert.equal(literal.items[0]!.latestVersion?.version, 1);
    });

    it('rejects a malformed page token and max_results', async () => {
      await assert.rejects(datasets.list({ pageToken: '***' }), /Invalid page token/);
      await assert.rejects(datasets.list({ maxResults: 0 }), /max_results must be an integer from 1 to 1000/);
    });
  });

  describe('.listVersions', () => {
    it('lists newest first, by page, and finds the version of a digest', async () => {
      const input = buildRegistration();
      for (let i = 0; i < 5; i++) await datasets.register({ ...input, digest: digestOf(`${input.name}-${i}`) });
      const first = await datasets.listVersions(input.name, { maxResults: 2 });
      assert.deepEqual(first.items.map((v) => v.version), [5, 4]);
      const second = await datasets.listVersions(input.name, { maxResults: 2, pageToken: first.nextPageToken });
      assert.deepEqual(second.items.map((v) => v.version), [3, 2]);
      const last = await datasets.listVersions(input.name, { maxResults: 2, pageToken: second.nextPageToken });
      assert.deepEqual([last.items.map((v) => v.version), last.nextPageToken], [[1], undefined]);
      const byDigest = await datasets.listVersions(input.name, { digest: digestOf(`${input.name}-2`) });
      assert.deepEqual(byDigest.items.map((v) => v.version), [3]);
      await assert.rejects(datasets.listVersions('missing-dataset'), NotFoundError);
    });
  });

  describe('.update and .updateVersion', () => {
    it('sets and removes tags and descriptions', async () => {
      const input = buildRegistration({ tags: { a: '1', b: '2' } });
      await datasets.register(input);
      const d = await datasets.update(input.name, { description: 'all transactions', tags: { team: 'risk' } });
      assert.deepEqual([d.description, d.tags], ['all transactions', { team: 'risk' }]);
      const cleared = await datasets.update(input.name, { description: null, tags: { team: null } });
      assert.deepEqual([cleared.description, cleared.tags], [null, {}]);

      const v = await datasets.updateVersion(input.name, 1, { tags: { a: null, b: '3', c: '4' }, description: 'v1' });
      assert.deepEqual(v.tags, { b: '3', c: '4' });
      assert.equal(v.description, 'v1');
      assert.ok(v.lastUpdatedTime > v.creationTime);
    });

    it('rejects an empty patch and unknown targets', async () => {
      const input = buildRegistration();
      await datasets.register(input);
      await assert.rejects(datasets.update(input.name, {}), /Nothing to update/);
      await assert.rejects(datasets.update('nobody-here', { description: 'x' }), NotFoundError);
      await assert.rejects(datasets.updateVersion(input.name, 9, { description: 'x' }), /has no version 9/);
      await assert.rejects(datasets.update(input.name, { tags: { k: 5 } } as never), /Tag 'k' needs a string value \(or null to remove it\)/);
    });
  });

  describe('.deleteVersion', () => {
    it('removes one version; latest moves back; a second delete is NOT_FOUND', async () => {
      const input = buildRegistration({ tags: { t: 'x' } });
      await datasets.register(input);
      await datasets.register({ ...input, digest: digestOf(`${input.name}-2`) });
      await datasets.deleteVersion(input.name, 2);
      const d = await datasets.get(input.name);
      assert.deepEqual([d.versionCount, d.latestVersion?.version], [1, 1]);
      await assert.rejects(datasets.deleteVersion(input.name, 2), /has no version 2/);
      await datasets.deleteVersion(input.name, 1);
      const empty = await datasets.get(input.name);
      assert.deepEqual([empty.versionCount, empty.latestVersion], [0, null]);
      await assert.rejects(datasets.getVersion(input.name, 'latest'), /has no versions/);
    });
  });
});
