/**
 * Loads the SciPy reference fixtures written by test/fixtures/drift/generate.py
 * and replays their generated samples bit-for-bit (mulberry32 and IEEE-exact
 * arithmetic only, mirroring `materialize` and `categories` there).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { seededRandom } from '../../helpers/seeded-random.js';

const FIXTURES = new URL('../../fixtures/drift/', import.meta.url);

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

/** JSON cannot hold NaN or infinities; the generator writes them as strings. */
export type FixtureNumber = number | 'nan' | 'inf' | '-inf';

export function fixtureNumber(x: FixtureNumber): number {
  if (x === 'nan') return Number.NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  return x;
}

export interface SampleSpec {
  kind: 'uniform' | 'normal' | 'skewed' | 'integers';
  seed: number;
  n: number;
  lo?: number;
  hi?: number;
  loc?: number;
  scale?: number;
  grid?: number;
}

export type FixtureSample = number[] | { gen: SampleSpec };

export function materialize(spec: SampleSpec): number[] {
  const rnd = seededRandom(spec.seed);
  const out = new Array<number>(spec.n);
  for (let i = 0; i < spec.n; i++) {
    let x: number;
    switch (spec.kind) {
      case 'uniform':
        x = spec.lo! + (spec.hi! - spec.lo!) * rnd.next();
        break;
      case 'normal': {
        let s = 0;
        for (let k = 0; k < 12; k++) s += rnd.next();
        x = spec.loc! + spec.scale! * (s - 6);
        break;
      }
      case 'skewed': {
        const u = rnd.next();
        x = spec.loc! + spec.scale! * (u * u * u);
        break;
      }
      case 'integers':
        x = spec.lo! + Math.floor(rnd.next() * (spec.hi! - spec.lo! + 1));
        break;
    }
    if (spec.grid !== undefined) x = Math.floor(x * spec.grid) / spec.grid;
    out[i] = x;
  }
  return out;
}

export function sampleValues(sample: FixtureSample): number[] {
  return Array.isArray(sample) ? sample : materialize(sample.gen);
}

export interface CategorySpec {
  seed: number;
  n: number;
  categories: (string | number)[];
  weights: number[];
}

export function categories(spec: CategorySpec): (string | number)[] {
  const rnd = seededRandom(spec.seed);
  const total = spec.weights.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const w of spec.weights) cum.push((acc += w));
  const out: (string | number)[] = [];
  for (let i = 0; i < spec.n; i++) {
    const t = rnd.next() * total;
    let k = 0;
    while (t >= cum[k]!) k++;
    out.push(spec.categories[k]!);
  }
  return out;
}

/**
 * Agreement to 1e-6 relative; values within 1e-13 of each other also pass,
 * for results that are differences near 0 (a p-value of 1 − (1 − ε)).
 */
export function assertClose(actual: number, expected: FixtureNumber, what: string, rtol = 1e-6, atol = 1e-13): void {
  const e = fixtureNumber(expected);
  if (Number.isNaN(e) || !Number.isFinite(e)) {
    assert.ok(Object.is(actual, e) || (Number.isNaN(e) && Number.isNaN(actual)), `${what}: got ${actual}, expected ${e}`);
    return;
  }
  const diff = Math.abs(actual - e);
  assert.ok(diff <= rtol * Math.abs(e) || diff <= atol, `${what}: got ${actual}, expected ${e} (rel ${diff / Math.abs(e)})`);
}
