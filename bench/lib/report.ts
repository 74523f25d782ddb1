import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Row {
  measure: string;
  baseline: string;
  baselineValue: string;
  ferry: string;
  ratio: string;
  target: string;
  met: string;
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, CPU probe ${cpuProbeMs().toFixed(0)} ms`;
}

/**
 * A fixed single-threaded workload (sorting 1,000,000 seeded doubles), best
 * of 3, written beside each run: this VM's speed moves by up to 2× between
 * sessions, and the probe says which runs were on a slower machine.
 */
export function cpuProbeMs(): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const a = new Float64Array(1_000_000);
    let x = 1;
    for (let i = 0; i < a.length; i++) {
      x = (x * 16807) % 2147483647;
      a[i] = x;
    }
    const t = performance.now();
    a.sort();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

export function table(rows: Row[]): string {
  const head = '| Measure | Baseline (same run) | Baseline | Ferry | Ferry ÷ baseline | Target | Met |\n|---|---|---|---|---|---|---|\n';
  return head + rows.map((r) => `| ${r.measure} | ${r.baseline} | ${r.baselineValue} | ${r.ferry} | ${r.ratio} | ${r.target} | ${r.met} |`).join('\n') + '\n';
}

/** Replaces (or appends) the section between markers for `key` in BENCHMARKS.md. */
export function writeSection(key: string, title: string, body: string): void {
  const file = 'BENCHMARKS.md';
  const start = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const section = `${start}\n### ${title}\n\n${body}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach section is written by `npm run bench -- <name> --write`; the baseline is measured in the same run on the same machine. This is a shared 2-core VM: absolute numbers move by ±30 % between runs with whatever else runs on it, so compare ratios within a run.\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
