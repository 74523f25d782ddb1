import { createHash, randomUUID, type Hash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Bytes read per call. 1 MiB keeps each chunk in the core's L2 cache between
 * the read, the hash and the write, and equals DVC's own chunk size, which
 * its legacy text MD5 depends on (it normalises line ends per chunk).
 */
export const HASH_CHUNK = 1 << 20;

/**
 * Where a hashed file's bytes go:
 * - `cache`: into the content-addressed store under `root` as
 *   `sha256/<2>/<62>` (via a temp file in `root/tmp`, renamed once hashed and
 *   checked; an existing blob is kept, the copy dropped).
 * - `file`: to `path` (via a temp file beside it), only if the digest is `expect`.
 */
export type HashSink = { kind: 'cache'; root: string } | { kind: 'file'; path: string };

/** How bytes reach a sink: copied (after trying a copy-on-write clone), or hard-linked (cache only, read-only afterwards). */
export type LinkMode = 'copy' | 'hardlink';

/** One file to hash, and optionally copy. Plain data: it crosses to worker threads. */
export interface HashJob {
  src: string;
  sink?: HashSink;
  link?: LinkMode;
  /** The SHA-256 hex the content must have; a mismatch stores nothing. */
  expect?: string;
  /** Also compute MD5; 'legacy' adds DVC 2's line-end-normalised MD5 for text files. */
  md5?: 'plain' | 'legacy';
  /** The MD5 hex the content must have (either form when `md5` is 'legacy'); a mismatch stores nothing. */
  expectMd5?: string;
}

/** The file's identity when it was read, for the state index. */
export interface FileStamp {
  size: number;
  /** Nanoseconds, as a decimal string (beyond 2^53). */
  mtimeNs: string;
  ino: number;
}

export type HashResult =
  | {
      ok: true;
      sha256: string;
      size: number;
      md5?: string;
      md5Text?: string;
      stamp: FileStamp;
      /** For a `cache` sink: whether the blob was new or already there. */
      stored?: 'new' | 'existing';
    }
  | {
      ok: false;
      reason: 'missing' | 'mismatch' | 'changed' | 'error';
      message: string;
      sha256?: string;
      md5?: string;
      md5Text?: string;
    };

/** Per-thread memory of which devices cannot clone files, so the failing syscall is tried once. */
export interface HashMemo {
  noClone: Set<string>;
  buffer?: Buffer;
}

export function newHashMemo(): HashMemo {
  return { noClone: new Set() };
}

/** The path of blob `hex` under cache `root`. */
export function cacheBlobPath(root: string, hex: string): string {
  return join(root, 'sha256', hex.slice(0, 2), hex.slice(2));
}

/**
 * Hashes one file synchronously (run on a worker thread, or inline for small
 * jobs): one read feeds SHA-256, the optional MD5s and the copy. Never
 * throws; failures come back as `{ ok: false }`.
 */
export function runHashJob(job: HashJob, memo: HashMemo, onBytes?: (n: number) => void): HashResult {
  let fd: number | undefined;
  let out: number | undefined;
  let temp: string | undefined;
  try {
    try {
      fd = openSync(job.src, 'r');
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return { ok: false, reason: 'missing', message: `${job.src} does not exist` };
      throw err;
    }
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile()) return { ok: false, reason: 'error', message: `${job.src} is not a regular file` };
    const sink = job.sink;
    const link = job.link ?? 'copy';
    if (sink && link === 'copy') {
      temp = tempFor(sink);
      if (!tryClone(job.src, temp, String(before.dev), memo)) out = openSync(temp, 'wx', 0o644);
    }

    const sha = createHash('sha256');
    const md5 = job.md5 ? createHash('md5') : undefined;
    let text: TextMd5 | undefined;
    const buf = (memo.buffer ??= Buffer.allocUnsafe(HASH_CHUNK));
    let pos = 0;
    for (;;) {
      const n = readFull(fd, buf);
      if (n === 0) break;
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      if (pos === 0 && job.md5 === 'legacy' && isTextBlock(chunk.subarray(0, 512))) text = new TextMd5();
      sha.update(chunk);
      md5?.update(chunk);
      text?.update(chunk);
      if (out !== undefined) writeFull(out, chunk, pos);
      pos += n;
      onBytes?.(n);
      if (n < buf.length) break;
    }
    if (pos === 0 && job.md5 === 'legacy') text = new TextMd5();
    const after = fstatSync(fd, { bigint: true });
    const sha256 = sha.digest('hex');
    const md5Hex = md5?.digest('hex');
    const md5Text = text?.digest();
    let stamp: FileStamp = { size: Number(after.size), mtimeNs: String(after.mtimeNs), ino: Number(after.ino) };
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs || BigInt(pos) !== after.size) {
      return { ok: false, reason: 'changed', message: `${job.src} changed while it was being read; try again once it is complete`, sha256 };
    }
    if (out !== undefined) {
      closeSync(out);
      out = undefined;
    }
    if (job.expect !== undefined && job.expect !== sha256) {
      return { ok: false, reason: 'mismatch', message: `${job.src} has sha256:${sha256}, expected sha256:${job.expect}`, sha256, md5: md5Hex, md5Text };
    }
    if (job.expectMd5 !== undefined && job.expectMd5 !== md5Hex && job.expectMd5 !== md5Text) {
      return { ok: false, reason: 'mismatch', message: `${job.src} has md5 ${md5Hex}, expected ${job.expectMd5}`, sha256, md5: md5Hex, md5Text };
    }
    let stored: 'new' | 'existing' | undefined;
    if (sink) {
      if (link === 'hardlink') temp = hardlinkTemp(job.src, sink);
      stored = commit(temp!, sink, sha256, link === 'hardlink' ? job.src : undefined);
      temp = undefined;
      if (stored === 'existing' && link === 'hardlink') stamp = stampOf(job.src);
    }
    return { ok: true, sha256, size: pos, md5: md5Hex, md5Text, stamp, stored };
  } catch (err) {
    return { ok: false, reason: 'error', message: `${job.src}: ${(err as Error).message}` };
  } finally {
    if (out !== undefined) closeQuietly(out);
    if (fd !== undefined) closeQuietly(fd);
    if (temp !== undefined) unlinkQuietly(temp);
  }
}

function tempFor(sink: HashSink): string {
  if (sink.kind === 'cache') {
    const dir = join(sink.root, 'tmp');
    mkdirSync(dir, { recursive: true });
    return join(dir, randomUUID());
  }
  // Beside the target, so the final rename stays on one file system; the
  // leading dot and suffix keep it out of listings and mark it as ours.
  mkdirSync(dirname(sink.path), { recursive: true });
  return join(dirname(sink.path), `.${randomUUID()}.ferry-tmp`);
}

/** A copy-on-write clone (btrfs, XFS, APFS): free and exact. False where the file system cannot, remembered per device. */
function tryClone(src: string, temp: string, dev: string, memo: HashMemo): boolean {
  if (memo.noClone.has(dev)) return false;
  try {
    copyFileSync(src, temp, constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch {
    memo.noClone.add(dev);
    unlinkQuietly(temp);
    return false;
  }
}

/** A second name for the source beside the sink's final name; cross-device links fail with a clear message. */
function hardlinkTemp(src: string, sink: HashSink): string {
  const temp = tempFor(sink);
  try {
    linkSync(src, temp);
  } catch (err) {
    if (errno(err) === 'EXDEV') {
      throw new Error(`cannot hard-link ${src} to ${sink.kind === 'cache' ? sink.root : sink.path}: they are on different file systems; use --link copy`);
    }
    throw err;
  }
  return temp;
}

function stampOf(path: string): FileStamp {
  const s = statSync(path, { bigint: true });
  return { size: Number(s.size), mtimeNs: String(s.mtimeNs), ino: Number(s.ino) };
}

/**
 * Moves a finished temp file to its final name. Cache blobs are made
 * read-only, so an edit through a hard link fails instead of silently
 * changing what a digest names.
 */
function commit(temp: string, sink: HashSink, sha256: string, linkedFrom?: string): 'new' | 'existing' | undefined {
  if (sink.kind === 'file') {
    renameSync(temp, sink.path);
    return undefined;
  }
  const final = cacheBlobPath(sink.root, sha256);
  if (exists(final)) {
    unlinkSync(temp);
    // The workspace file becomes a link to the blob already stored, so both share one copy.
    if (linkedFrom !== undefined) relink(final, linkedFrom);
    return 'existing';
  }
  chmodSync(temp, 0o444);
  mkdirSync(dirname(final), { recursive: true });
  renameSync(temp, final);
  return 'new';
}

function relink(blob: string, target: string): void {
  const temp = join(dirname(target), `.${randomUUID()}.ferry-tmp`);
  linkSync(blob, temp);
  renameSync(temp, target);
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readFull(fd: number, buf: Buffer): number {
  let n = 0;
  while (n < buf.length) {
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return n;
}

function writeFull(fd: number, chunk: Buffer, position: number): void {
  let done = 0;
  while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
}

const TEXT_CHARS = new Uint8Array(256);
for (let c = 32; c < 127; c++) TEXT_CHARS[c] = 1;
for (const c of [10, 13, 9, 12, 8]) TEXT_CHARS[c] = 1;

/** DVC 2's `istextblock`: no NUL, and at most 30 % of bytes outside printable ASCII and common whitespace. */
export function isTextBlock(block: Buffer): boolean {
  if (block.length === 0) return true;
  let nontext = 0;
  for (const b of block) {
    if (b === 0) return false;
    if (TEXT_CHARS[b] === 0) nontext++;
  }
  return nontext / block.length <= 0.3;
}

/**
 * DVC 2's MD5 of a text file: each 1 MiB chunk with CRLF replaced by LF, chunk
 * by chunk (a CRLF split across chunks stays, as in DVC).
 */
class TextMd5 {
  private readonly hash: Hash = createHash('md5');
  update(chunk: Buffer): void {
    let start = 0;
    for (let i = chunk.indexOf(13); i !== -1 && i < chunk.length - 1; i = chunk.indexOf(13, i + 1)) {
      if (chunk[i + 1] !== 10) continue;
      this.hash.update(chunk.subarray(start, i));
      start = i + 1;
    }
    this.hash.update(chunk.subarray(start));
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or never valid
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}
