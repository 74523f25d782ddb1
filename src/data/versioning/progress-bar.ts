import type { DataProgress } from './data-workspace.js';

/** Bytes as `512 B`, `1.5 MB`, `2.03 GB` (powers of 1000, as transfer speeds are quoted). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

/** One line: `pushing [#####·····]  45%  1.20 GB/2.66 GB  12/30 files  350 MB/s  ETA 4s`. */
export function progressLine(p: DataProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (p.bytes * 1000) / elapsedMs : 0;
  const done = p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : 0;
  const filled = Math.round(done * 20);
  const eta = rate > 0 && p.totalBytes > 0 ? `${Math.ceil((p.totalBytes - p.bytes) / rate)}s` : '?';
  const files = p.totalFiles > 0 && p.files > 0 ? `  ${p.files}/${p.totalFiles} files` : p.totalFiles > 0 ? `  ${p.totalFiles} files` : '';
  return `${p.phase} [${'#'.repeat(filled)}${'·'.repeat(20 - filled)}] ${String(Math.floor(done * 100)).padStart(3)}%  ${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)}${files}  ${formatBytes(rate)}/s  ETA ${eta}`;
}

/**
 * A progress bar on `stream` (stderr), redrawn at most ten times a second and
 * only when it is a terminal, so piped output and `--json` stay clean.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): { update(p: DataProgress): void; clear(): void } {
  if (!stream.isTTY) return { update: () => undefined, clear: () => undefined };
  let last = 0;
  let drawn = false;
  let phase = '';
  let started = Date.now();
  return {
    update(p) {
      const now = Date.now();
      if (p.phase !== phase) {
        phase = p.phase;
        started = now;
      }
      if (now - last < 100 && p.bytes < p.totalBytes) return;
      last = now;
      drawn = true;
      stream.write(`\r\x1b[K${progressLine(p, now - started)}`);
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
