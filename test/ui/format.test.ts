/**
 * How the UI writes numbers and chart x-positions (ui/src/format.ts), tested
 * in Node: a logged value is shown as logged when short, else rounded without
 * ever losing integer digits; chart spans read as steps, UTC times or seconds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactIfRounded, formatTick, formatValue, formatXSpan } from '../../ui/src/format.js';

describe('formatValue', () => {
  it('shows short values exactly as logged, trailing integer zeros included', () => {
    for (const [v, shown] of [
      [120000.4, '120000.4'],
      [99999.99, '99999.99'],
      [12.345678, '12.345678'],
      [1e-7, '1e-7'],
      [1500000.5, '1500000.5'],
      [-120000.4, '-120000.4'],
      [-0.0001234, '-0.0001234'],
      [0.5, '0.5'],
      [100.25, '100.25'],
      [2.5e-8, '2.5e-8'],
    ] as const) {
      assert.equal(formatValue(v), shown, String(v));
    }
  });

  it('rounds long values to about six significant digits, trimming zeros only after the point', () => {
    for (const [v, shown] of [
      [0.30000000000000004, '0.3'],
      [0.9684119999999999, '0.968412'],
      [1 / 3, '0.333333'],
      [2 / 3, '0.666667'],
      [-2 / 3, '-0.666667'],
      [12.3456789012, '12.3457'],
      [2.0000000001, '2'],
      [1.1000000001, '1.1'],
      [10.000000001, '10'],
      [99999.9999999, '100000'],
      [0.000123456789, '0.000123457'],
    ] as const) {
      assert.equal(formatValue(v), shown, String(v));
    }
  });

  it('keeps every integer digit of large values', () => {
    assert.equal(formatValue(123456789.123456), '123456789');
    assert.equal(formatValue(1234567.891234), '1234568');
    assert.equal(formatValue(999999.9999999), '1000000');
    assert.equal(formatValue(123456.7890123), '123457');
    assert.equal(formatValue(-98765432.12345), '-98765432');
  });

  it('writes small long values with an exponent, zeros trimmed from its mantissa', () => {
    assert.equal(formatValue(1.2345678901e-9), '1.23457e-9');
    assert.equal(formatValue(1.0000000001e-9), '1e-9');
    assert.equal(formatValue(1.2030000001e-5), '1.203e-5');
    assert.equal(formatValue(-4.56789012345e-12), '-4.56789e-12');
  });

  it('prints integers as integers and non-finite values by name', () => {
    assert.equal(formatValue(0), '0');
    assert.equal(formatValue(-0), '0');
    assert.equal(formatValue(120000), '120000');
    assert.equal(formatValue(1000000), '1000000');
    assert.equal(formatValue(12345678901234), '12345678901234');
    assert.equal(formatValue(-42), '-42');
    assert.equal(formatValue(NaN), 'NaN');
    assert.equal(formatValue(Infinity), 'Infinity');
    assert.equal(formatValue(-Infinity), '-Infinity');
  });

  it('passes other values through and shows nothing for a missing one', () => {
    assert.equal(formatValue(undefined), '');
    assert.equal(formatValue(null), '');
    assert.equal(formatValue('adam'), 'adam');
    assert.equal(formatValue(true), 'true');
  });

  it('rounds values of every magnitude close to the value, in few characters', () => {
    // Pseudo-random values over many magnitudes: the rounded form is close to the value and short.
    let seed = 7;
    const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 2000; i++) {
      const v = (next() - 0.5) * 10 ** Math.floor(next() * 30 - 15);
      const shown = formatValue(v);
      const back = Number(shown);
      assert.ok(Number.isFinite(back), `${v} → ${shown}`);
      if (Math.abs(v) >= 1e5) {
        // Every integer digit stays: the value to the nearest whole number.
        assert.match(shown, /^-?\d+$/, `${v} → ${shown}`);
        assert.ok(Math.abs(back - v) <= 0.5, `${v} → ${shown}`);
      } else {
        assert.ok(Math.abs(back - v) <= Math.abs(v) * 5e-6, `${v} → ${shown}`);
        assert.ok(shown.replace('-', '').length <= 12, `${v} → ${shown}`);
      }
    }
  });
});

describe('exactIfRounded', () => {
  it('answers the logged value only where the shown one is rounded', () => {
    assert.equal(exactIfRounded(0.30000000000000004), '0.30000000000000004');
    assert.equal(exactIfRounded(123456789.123456), '123456789.123456');
    assert.equal(exactIfRounded(120000.4), undefined);
    assert.equal(exactIfRounded(3), undefined);
    assert.equal(exactIfRounded('x'), undefined);
  });
});

describe('formatTick', () => {
  it('gives ticks the decimals their spacing needs, so close ticks stay apart', () => {
    assert.deepEqual([0, 5e-8, 1e-7, 1.5e-7].map((v) => formatTick(v, 5e-8)), ['0', '5e-8', '1e-7', '1.5e-7']);
    assert.deepEqual([0.2, 0.4, 0.6000000000000001].map((v) => formatTick(v, 0.2)), ['0.2', '0.4', '0.6']);
    assert.deepEqual([100000, 150000, 200000].map((v) => formatTick(v, 50000)), ['100000', '150000', '200000']);
    assert.deepEqual([120000.1, 120000.2].map((v) => formatTick(v, 0.1)), ['120000.1', '120000.2']);
    assert.equal(formatTick(-0.25, 0.05), '-0.25');
  });

  it('switches to an exponent where the digits would run long', () => {
    assert.equal(formatTick(1.5e12, 5e11), '1.5e+12');
    assert.equal(formatTick(123456.78901, 1e-5), '1.2345678901e+5');
  });
});

describe('formatXSpan', () => {
  it('reads a step or a bucket of steps', () => {
    assert.equal(formatXSpan('step', 7, 7), 'step 7');
    assert.equal(formatXSpan('step', 0, 4), 'steps 0–4');
  });

  it('reads wall times in UTC, with milliseconds only where there are some', () => {
    const t = Date.UTC(2026, 0, 1, 9, 30, 5);
    assert.equal(formatXSpan('time', t, t), '2026-01-01 09:30:05 UTC');
    assert.equal(formatXSpan('time', t + 250, t + 250), '2026-01-01 09:30:05.250 UTC');
    assert.equal(formatXSpan('time', t, t + 4999), '2026-01-01 09:30:05–09:30:09.999 UTC');
    assert.equal(formatXSpan('time', t, t + 86_400_000), '2026-01-01 09:30:05–2026-01-02 09:30:05 UTC');
  });

  it('reads relative times in seconds', () => {
    assert.equal(formatXSpan('relative', 1500, 1500), '1.5 s');
    assert.equal(formatXSpan('relative', 0, 2999), '0–2.999 s');
  });
});
