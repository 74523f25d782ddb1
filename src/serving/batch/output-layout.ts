import { InvalidArgumentError } from '../../errors.js';
import type { Tensor, TensorDatatype, TensorMetadata } from '../tensor.js';
import type { KeyPlan } from './column-plan.js';
import { SQL_TYPES } from './column-types.js';

/** One column of the predictions file: one element of one output tensor's row. */
export interface OutputColumn {
  name: string;
  output: string;
  datatype: TensorDatatype;
  sqlType: string;
  /** Which element of the output's row, and how many the row has. */
  element: number;
  width: number;
}

/**
 * The predictions file's columns after the key, one per element of each
 * output's row: a model with one output of one value per row writes
 * `prediction`; otherwise an output of one value per row writes a column of
 * its own name, and one of K values per row writes `NAME_0…NAME_{K-1}`.
 * `widths` gives each output's values per row (from the first batch's
 * results, or the declared shape when nothing ran).
 */
export function outputLayout(outputs: TensorMetadata[], widths: Record<string, number>, key: KeyPlan): OutputColumn[] {
  const single = outputs.length === 1 && widths[outputs[0]!.name] === 1;
  const taken = new Set([key.name]);
  const unique = (name: string) => {
    let n = name;
    // A key column of the same name keeps its name; the prediction gives way.
    while (taken.has(n)) n = `${n}_output`;
    taken.add(n);
    return n;
  };
  return outputs.flatMap((o) => {
    const width = widths[o.name]!;
    return Array.from({ length: width }, (_, element) => ({
      name: unique(single ? 'prediction' : width === 1 ? o.name : `${o.name}_${element}`),
      output: o.name,
      datatype: o.datatype,
      sqlType: SQL_TYPES[o.datatype],
      element,
      width,
    }));
  });
}

/** Values per row an output declares; a dynamic dimension counts as 1 (only used when no batch ran). */
export function declaredWidth(o: TensorMetadata): number {
  return o.shape.slice(1).reduce((n, d) => n * (d < 0 ? 1 : d), 1);
}

/**
 * Values per row of each output of one batch's results.
 * @throws InvalidArgumentError when an output does not have one row per input row.
 */
export function resultWidths(outputs: Record<string, Tensor>, rows: number): Record<string, number> {
  const widths: Record<string, number> = {};
  for (const [name, t] of Object.entries(outputs)) {
    if (t.shape.length === 0 || t.shape[0] !== rows) {
      throw new InvalidArgumentError(
        `The model's output '${name}' has shape [${t.shape.join(', ')}] for a batch of ${rows} rows; ferry predict needs outputs with one row per input row.`,
        { details: { reason: 'not_batchable', output: name } },
      );
    }
    widths[name] = t.shape.slice(1).reduce((n, d) => n * d, 1);
  }
  return widths;
}
