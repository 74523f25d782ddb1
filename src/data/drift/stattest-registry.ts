/**
 * The tests Ferry offers by Evidently's names, with Evidently's display names,
 * applicable column types, default thresholds and drift rules (legacy
 * `calculations/stattests/*.py`, v0.7.x): note `ks` flags drift at
 * p <= threshold but `chisquare` and `z` at p < threshold.
 */
import type { ColumnType, StatTestName } from './drift-types.js';

export interface StatTestDefinition {
  name: StatTestName;
  displayName: string;
  allowedTypes: readonly ColumnType[];
  defaultThreshold: number;
  scoreKind: 'p_value' | 'distance';
  isDrift(score: number, threshold: number): boolean;
}

const below = (score: number, threshold: number) => score < threshold;
const atOrBelow = (score: number, threshold: number) => score <= threshold;
const atOrAbove = (score: number, threshold: number) => score >= threshold;

export const STATTESTS: Readonly<Record<StatTestName, StatTestDefinition>> = {
  ks: {
    name: 'ks',
    displayName: 'K-S p_value',
    allowedTypes: ['numerical'],
    defaultThreshold: 0.05,
    scoreKind: 'p_value',
    isDrift: atOrBelow,
  },
  chisquare: {
    name: 'chisquare',
    displayName: 'chi-square p_value',
    allowedTypes: ['categorical'],
    defaultThreshold: 0.05,
    scoreKind: 'p_value',
    isDrift: below,
  },
  z: {
    name: 'z',
    displayName: 'Z-test p_value',
    allowedTypes: ['categorical'],
    defaultThreshold: 0.05,
    scoreKind: 'p_value',
    isDrift: below,
  },
  wasserstein: {
    name: 'wasserstein',
    displayName: 'Wasserstein distance (normed)',
    allowedTypes: ['numerical'],
    defaultThreshold: 0.1,
    scoreKind: 'distance',
    isDrift: atOrAbove,
  },
  jensenshannon: {
    name: 'jensenshannon',
    displayName: 'Jensen-Shannon distance',
    allowedTypes: ['categorical', 'numerical'],
    defaultThreshold: 0.1,
    scoreKind: 'distance',
    isDrift: atOrAbove,
  },
  psi: {
    name: 'psi',
    displayName: 'PSI',
    allowedTypes: ['categorical', 'numerical'],
    defaultThreshold: 0.1,
    scoreKind: 'distance',
    isDrift: atOrAbove,
  },
  kl_div: {
    name: 'kl_div',
    displayName: 'Kullback-Leibler divergence',
    allowedTypes: ['categorical', 'numerical'],
    defaultThreshold: 0.1,
    scoreKind: 'distance',
    isDrift: atOrAbove,
  },
};

export const STATTEST_NAMES = Object.keys(STATTESTS) as StatTestName[];

export function isStatTestName(name: unknown): name is StatTestName {
  return typeof name === 'string' && Object.hasOwn(STATTESTS, name);
}
