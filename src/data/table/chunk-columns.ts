import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';

/**
 * Copies a DOUBLE (or, with `Float32Array`, FLOAT) column of a result chunk
 * into `target` at `offset` in one pass over DuckDB's own buffer; null rows
 * become `nullValue`. The high-level vector API reads one boxed value per row,
 * several times slower on the million-row columns drift and batch inference
 * read. The column must already be cast to the target's width in SQL.
 * @returns how many values were written (the chunk's row count).
 */
export function copyFloatColumn(
  chunk: DuckDBDataChunk,
  column: number,
  target: Float64Array | Float32Array,
  offset: number,
  nullValue = Number.NaN,
): number {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const width = target.BYTES_PER_ELEMENT;
  const bytes = duckdb.vector_get_data(vector, rows * width);
  const values =
    width === 8 ? new Float64Array(bytes.buffer, bytes.byteOffset, rows) : new Float32Array(bytes.buffer, bytes.byteOffset, rows);
  target.set(values, offset);
  // DuckDB's validity mask is a little-endian uint64 bitmap, absent when no row is null.
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  if (validity && validity.byteLength > 0) {
    for (let i = 0; i < rows; i++) {
      if ((validity[i >>> 3]! & (1 << (i & 7))) === 0) target[offset + i] = nullValue;
    }
  }
  return rows;
}

/** Typed-array constructors whose element layout matches a DuckDB fixed-width type (FLOAT, DOUBLE, INTEGER, SMALLINT, …). */
export type FixedWidthArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor;

/**
 * A view of a fixed-width column's values in DuckDB's buffer, valid while the
 * chunk is. Null rows hold unspecified values: callers read only rows they
 * know are valid.
 */
export function columnView<C extends FixedWidthArrayConstructor>(chunk: DuckDBDataChunk, column: number, ctor: C): InstanceType<C> {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const bytes = duckdb.vector_get_data(vector, rows * ctor.BYTES_PER_ELEMENT);
  return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, rows) as InstanceType<C>;
}
