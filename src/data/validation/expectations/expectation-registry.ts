import { COLUMN_AGGREGATE_EXPECTATIONS } from './column-aggregate-expectations.js';
import { COLUMN_MAP_EXPECTATIONS } from './column-map-expectations.js';
import type { ExpectationDefinition } from './expectation-definition.js';
import { MULTI_COLUMN_EXPECTATIONS } from './multi-column-expectations.js';
import { TABLE_EXPECTATIONS } from './table-expectations.js';

/** Every expectation Ferry evaluates, by GE's name. */
export const EXPECTATIONS: ReadonlyMap<string, ExpectationDefinition> = new Map(
  [...TABLE_EXPECTATIONS, ...COLUMN_MAP_EXPECTATIONS, ...COLUMN_AGGREGATE_EXPECTATIONS, ...MULTI_COLUMN_EXPECTATIONS].map((d) => [d.type, d]),
);

/** The supported expectation names, sorted. */
export function expectationTypes(): string[] {
  return [...EXPECTATIONS.keys()].sort();
}

/** GE class names (ExpectColumnValuesToNotBeNull) are accepted for their snake_case type. */
export function expectationTypeOf(name: string): string {
  return /^Expect[A-Z]/.test(name) ? name.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase() : name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The nearest supported name, when one is close enough to be a typo. */
export function closestExpectation(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const type of EXPECTATIONS.keys()) {
    const d = editDistance(name, type);
    if (d < bestDistance) {
      best = type;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(name.length / 5)) ? best : undefined;
}
