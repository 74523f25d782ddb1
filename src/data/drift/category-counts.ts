/** Value counts of a column on both sides, over the union of their values. */
import type { CategoryValue } from './drift-types.js';

export interface CategoryCounts {
  /** Distinct non-null values of both sides, in first-seen order (reference first). */
  keys: CategoryValue[];
  /** Count of each key in the reference data (0 where absent). */
  reference: number[];
  current: number[];
  referenceTotal: number;
  currentTotal: number;
}

/** Counts cleaned values (nulls already dropped) of both sides. */
export function countCategories(
  reference: Iterable<CategoryValue>,
  current: Iterable<CategoryValue>,
): CategoryCounts {
  // Keys are typed so that the number 1 and the string "1" stay apart.
  const index = new Map<string, number>();
  const keys: CategoryValue[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  const slot = (value: CategoryValue): number => {
    const key = `${typeof value}:${String(value)}`;
    let i = index.get(key);
    if (i === undefined) {
      i = keys.length;
      index.set(key, i);
      keys.push(value);
      ref.push(0);
      cur.push(0);
    }
    return i;
  };
  let referenceTotal = 0;
  for (const v of reference) {
    ref[slot(v)]! += 1;
    referenceTotal++;
  }
  let currentTotal = 0;
  for (const v of current) {
    cur[slot(v)]! += 1;
    currentTotal++;
  }
  return { keys, reference: ref, current: cur, referenceTotal, currentTotal };
}

/** Counts of two sorted numeric samples, keyed by distinct value (ascending). */
export function countSortedNumbers(reference: ArrayLike<number>, current: ArrayLike<number>): CategoryCounts {
  const keys: number[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  let i = 0;
  let j = 0;
  while (i < reference.length || j < current.length) {
    const a = i < reference.length ? reference[i]! : Infinity;
    const b = j < current.length ? current[j]! : Infinity;
    const v = a <= b ? a : b;
    let r = 0;
    let c = 0;
    while (i < reference.length && reference[i] === v) {
      i++;
      r++;
    }
    while (j < current.length && current[j] === v) {
      j++;
      c++;
    }
    keys.push(v);
    ref.push(r);
    cur.push(c);
  }
  return { keys, reference: ref, current: cur, referenceTotal: reference.length, currentTotal: current.length };
}
