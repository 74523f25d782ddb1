import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { FileStamp } from './hash-job.js';

interface StateEntry extends FileStamp {
  digest: string;
  /** When the hash was taken (ms since the epoch): decides whether the mtime can be trusted. */
  at: number;
}

/**
 * How close an mtime may be to the moment a file was hashed before the entry
 * is distrusted: a write in the same timestamp tick would leave size and mtime
 * unchanged ("racy" entries, as git calls them). File systems with whole-second
 * timestamps (ext3, HFS+, FAT's two seconds) get a wider margin.
 */
const RACY_MS_FINE = 100;
const RACY_MS_COARSE = 2100;

/**
 * The state index, like DVC's state database: per workspace file its size,
 * mtime (ns) and inode when last hashed, and the digest. A file whose three
 * still match is not read again. Kept as JSON in `.ferry/data-state.json`,
 * keyed by path relative to the project root; losing it only costs re-hashing.
 * Concurrent Ferry processes may drop each other's updates, never corrupt them:
 * every entry is checked against the file before it is trusted.
 */
export class DataState {
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly root: string,
    private readonly entries: Map<string, StateEntry>,
  ) {}

  static async open(path: string, root: string): Promise<DataState> {
    const entries = new Map<string, StateEntry>();
    try {
      const raw = JSON.parse(await readFile(path, 'utf8')) as { ferry?: number; files?: Record<string, StateEntry> };
      if (raw.ferry === 1 && raw.files && typeof raw.files === 'object') {
        for (const [k, v] of Object.entries(raw.files)) if (isEntry(v)) entries.set(k, v);
      }
    } catch {
      // Missing or unreadable: start empty; it is only a cache of hashes.
    }
    return new DataState(path, root, entries);
  }

  /** The digest recorded for `file` if it still has the same size, mtime and inode and the entry is not racy. */
  lookup(file: string, stamp: FileStamp): string | undefined {
    const e = this.entries.get(this.key(file));
    if (!e || e.size !== stamp.size || e.mtimeNs !== stamp.mtimeNs || e.ino !== stamp.ino) return undefined;
    return trustworthy(e) ? e.digest : undefined;
  }

  /** Records that `file`, as stamped, has `digest`; `hashedAt` is when its read began (or earlier). */
  record(file: string, stamp: FileStamp, digest: string, hashedAt: number): void {
    this.entries.set(this.key(file), { size: stamp.size, mtimeNs: stamp.mtimeNs, ino: stamp.ino, digest, at: hashedAt });
    this.dirty = true;
  }

  forget(file: string): void {
    if (this.entries.delete(this.key(file))) this.dirty = true;
  }

  /** Writes the index if it changed (temp file + rename: readers never see half of it). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const files: Record<string, StateEntry> = {};
    for (const [k, v] of this.entries) files[k] = v;
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify({ ferry: 1, files }));
    await rename(temp, this.path);
    this.dirty = false;
  }

  private key(file: string): string {
    const rel = relative(this.root, file);
    // Files outside the project are keyed by absolute path.
    return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? file : rel.split(sep).join('/');
  }
}

function trustworthy(e: StateEntry): boolean {
  const ns = BigInt(e.mtimeNs);
  const coarse = ns % 1_000_000_000n === 0n;
  const mtimeMs = Number(ns / 1_000_000n);
  return e.at - mtimeMs > (coarse ? RACY_MS_COARSE : RACY_MS_FINE);
}

function isEntry(v: unknown): v is StateEntry {
  const e = v as Partial<StateEntry> | null;
  return (
    !!e &&
    typeof e.size === 'number' &&
    typeof e.mtimeNs === 'string' &&
    /^\d+$/.test(e.mtimeNs) &&
    typeof e.ino === 'number' &&
    typeof e.digest === 'string' &&
    typeof e.at === 'number'
  );
}

/** The stamp of a stat taken with `{ bigint: true }`. */
export function stampOf(s: { size: bigint; mtimeNs: bigint; ino: bigint }): FileStamp {
  return { size: Number(s.size), mtimeNs: String(s.mtimeNs), ino: Number(s.ino) };
}
