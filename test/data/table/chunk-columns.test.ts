import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { copyFloatColumn } from '../../../src/data/table/chunk-columns.js';

describe('copyFloatColumn', () => {
  let engine: DuckDbEngine;
  before(async () => {
    engine = await DuckDbEngine.open({ threads: 1 });
  });
  after(() => engine.close());

  it('copies doubles and floats across chunks, with nulls as the value given', async () => {
    const rows = 5000; // more than one 2048-row chunk
    const result = await engine.connection.stream(
      'SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i / 2 END::DOUBLE AS a, (i * 0.25)::FLOAT AS b FROM range(5000) t(i)',
    );
    const a = new Float64Array(rows);
    const b = new Float32Array(rows);
    let at = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      copyFloatColumn(chunk, 0, a, at);
      at += copyFloatColumn(chunk, 1, b, at, -1);
    }
    assert.equal(at, rows);
    for (let i = 0; i < rows; i++) {
      if (i % 3 === 0) assert.ok(Number.isNaN(a[i]), `row ${i} is null`);
      else assert.equal(a[i], i / 2);
      assert.equal(b[i], i * 0.25);
    }
  });
});
