import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatNumber, formatTable, formatTime, truncate } from '../../src/cli/table.js';

describe('table', () => {
  describe('formatTable', () => {
    it('aligns columns under the header without trailing spaces', () => {
      assert.equal(
        formatTable(['ID', 'NAME', 'X'], [
          ['0', 'Default', ''],
          ['12', 'mnist', 'y'],
        ]),
        'ID  NAME     X\n0   Default\n12  mnist    y',
      );
    });

    it('right-aligns the columns asked for', () => {
      assert.equal(formatTable(['N', 'V'], [['1', 'a'], ['100', 'b']], { alignRight: [0] }), '  N  V\n  1  a\n100  b');
    });

    it('cuts wide cells and flattens newlines', () => {
      const out = formatTable(['K'], [['x'.repeat(60)], ['a\nb']], { maxCellWidth: 10 });
      assert.deepEqual(out.split('\n'), ['K', `${'x'.repeat(9)}…`, 'a b']);
    });
  });

  describe('truncate', () => {
    it('counts characters, not UTF-16 units', () => {
      assert.equal(truncate('✓✓✓', 3), '✓✓✓');
      assert.equal(truncate('😀😀😀😀', 3), '😀😀…');
    });
  });

  describe('formats', () => {
    it('prints times, durations and numbers compactly', () => {
      assert.equal(formatTime(0), '');
      assert.equal(formatTime(Date.UTC(2024, 0, 2, 3, 4, 5)), '2024-01-02 03:04:05');
      assert.equal(formatDuration(4200), '4.2s');
      assert.equal(formatDuration(185_000), '3m05s');
      assert.equal(formatDuration(3_720_000), '1h02m');
      assert.equal(formatNumber(0.123456789), '0.123457');
      assert.equal(formatNumber(42), '42');
      assert.equal(formatNumber(NaN), 'NaN');
    });
  });
});
