import type { DeploymentDocument, SpecChange } from './deployment-types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaves of a document by dotted path; lists of objects go by index (`spec.variants[1].weight`), lists of values are one leaf. */
function flatten(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some(isObj)) {
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (value !== undefined) {
    out.set(path, value);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What applying `next` over `current` changes, field by field, in the
 * order the fields appear. Both are normalised documents (defaults filled),
 * so writing out a default is no change. `current` undefined: everything is added.
 */
export function diffDocuments(current: DeploymentDocument | undefined, next: DeploymentDocument): SpecChange[] {
  const before = current ? flatten({ metadata: current.metadata, spec: current.spec }, '', new Map()) : new Map<string, unknown>();
  const after = flatten({ metadata: next.metadata, spec: next.spec }, '', new Map());
  const changes: SpecChange[] = [];
  for (const [path, to] of after) {
    if (!before.has(path)) changes.push({ op: 'add', path, to });
    else if (!same(before.get(path), to)) changes.push({ op: 'change', path, from: before.get(path), to });
  }
  for (const [path, from] of before) if (!after.has(path)) changes.push({ op: 'remove', path, from });
  return changes;
}

/** One change as a line of `ferry apply` output: `~ spec.model: models:/a/1 → models:/a/2`. */
export function formatChange(c: SpecChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (c.op === 'add') return `+ ${c.path}: ${show(c.to)}`;
  if (c.op === 'remove') return `- ${c.path}: ${show(c.from)}`;
  return `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`;
}
