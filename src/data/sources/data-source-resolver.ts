import { InvalidArgumentError } from '../../errors.js';
import type { TableFormat } from '../table/table-format.js';
import type { UploadStore } from './upload-store.js';

/** A table source made available as a local file for DuckDB to read. */
export interface ResolvedTable {
  /** The reference it came from, for messages and reports. */
  ref: string;
  path: string;
  format: TableFormat;
  /** Frees anything fetched for this read (a temporary download); idempotent. */
  release(): Promise<void>;
}

/** Turns the part of a reference after `scheme:` into a readable table. */
export type SourceScheme = (rest: string, ref: string) => Promise<ResolvedTable>;

/**
 * Resolves the table references the data API accepts — `upload:ID` for a file
 * uploaded to `/api/ferry/v1/data/uploads`, and the schemes other modules
 * register (`datasets:/NAME/VERSION` from the dataset registry) — to local
 * files. Clients never name server paths, so no reference can escape a root.
 */
export class DataSourceResolver {
  private readonly schemes = new Map<string, SourceScheme>();

  constructor(uploads: UploadStore) {
    this.register('upload', async (rest, ref) => {
      const upload = await uploads.get(rest);
      return { ref, path: upload.path, format: upload.format, release: async () => {} };
    });
  }

  /** Adds a scheme; a later registration of the same scheme replaces the earlier. */
  register(scheme: string, resolve: SourceScheme): void {
    this.schemes.set(scheme, resolve);
  }

  /**
   * @throws InvalidArgumentError for a reference without a known scheme, naming the known ones;
   *   NotFoundError (from the scheme) when the named data does not exist.
   */
  async resolve(ref: unknown): Promise<ResolvedTable> {
    if (typeof ref !== 'string' || ref.length === 0) {
      throw new InvalidArgumentError(`A table reference must be a string such as ${this.examples()}.`);
    }
    const colon = ref.indexOf(':');
    const scheme = colon > 0 ? this.schemes.get(ref.slice(0, colon)) : undefined;
    if (!scheme) throw new InvalidArgumentError(`Cannot read '${ref}': use ${this.examples()}.`);
    return scheme(ref.slice(colon + 1), ref);
  }

  private examples(): string {
    return [...this.schemes.keys()].map((s) => (s === 'upload' ? 'upload:ID' : s === 'datasets' ? 'datasets:/NAME/VERSION' : `${s}:…`)).join(' or ');
  }
}
