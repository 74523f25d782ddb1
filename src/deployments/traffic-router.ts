import { createHash } from 'node:crypto';
import { UnavailableError } from '../errors.js';
import type { LiveVariant } from './deployment-types.js';

/**
 * A point in [0, 1) that depends only on `key` and `salt`: the same caller
 * lands on the same arm in every process and after every restart. The
 * deployment's name is the salt, so one caller's arms in two experiments are
 * independent. SHA-256 mixes well even for sequential keys (user-1, user-2, …).
 */
export function stableHash(key: string, salt: string): number {
  const digest = createHash('sha256').update(salt).update('\u0000').update(key).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The variants that answer callers (a shadow only receives copies), with a positive weight. */
export function answering(variants: readonly LiveVariant[]): LiveVariant[] {
  return variants.filter((v) => v.role !== 'shadow' && v.weight > 0);
}

/**
 * The variant whose slice of [0, 100) holds `point × total weight`, slices in
 * the variants' order. Weights need not add up to 100.
 * @throws UnavailableError when no variant has traffic.
 */
export function chooseVariant(variants: readonly LiveVariant[], point: number): LiveVariant {
  const live = answering(variants);
  const total = live.reduce((s, v) => s + v.weight, 0);
  if (live.length === 0 || total <= 0) throw new UnavailableError('The deployment has no version taking traffic.');
  let at = point * total;
  for (const v of live) {
    if (at < v.weight) return v;
    at -= v.weight;
  }
  return live[live.length - 1]!;
}

export interface RouteOptions {
  /** The caller's key (a user id header's value): sticky when given. */
  key?: string;
  /** Salts the key's hash; the deployment's name. */
  salt: string;
  random?: () => number;
}

/**
 * Picks the variant for one request: by the key's stable hash when there is
 * a key (one caller always sees one variant while the weights stay), else at random by weight.
 */
export function routeRequest(variants: readonly LiveVariant[], options: RouteOptions): LiveVariant {
  const point = options.key !== undefined && options.key !== '' ? stableHash(options.key, options.salt) : (options.random ?? Math.random)();
  return chooseVariant(variants, point);
}
