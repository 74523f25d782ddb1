/**
 * Text exactly as MLflow's Python writes it: `json.dumps` (the signature
 * strings inside MLmodel) and `yaml.safe_dump(..., default_flow_style=False)`
 * (MLmodel itself), so a package Ferry writes is byte-identical to one
 * MLflow would write for the same content.
 */
import { parse, stringify } from 'yaml';

/** A number that Python would hold as a float: written `1.0`, not `1`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

function pyString(s: string): string {
  // json.dumps(ensure_ascii=True): everything outside ' '..'~' is escaped, as UTF-16 units.
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * Python's `json.dumps(value)` with default options: `", "` and `": "`
 * separators, ASCII-only output, NaN/Infinity bare. Integers print as
 * integers; wrap a value in `PyFloat` to print it as a float. With `indent`,
 * as `json.dumps(value, indent=n)`: one item a line, `","` at line ends.
 */
export function pythonJsonDumps(value: unknown, indent?: number): string {
  return dumps(value, indent, 0);
}

function dumps(value: unknown, indent: number | undefined, level: number): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyString(value);
  let items: string[];
  let open: string;
  let close: string;
  if (Array.isArray(value)) {
    items = value.map((v) => dumps(v, indent, level + 1));
    [open, close] = ['[', ']'];
  } else if (typeof value === 'object') {
    items = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pyString(k)}: ${dumps(v, indent, level + 1)}`);
    [open, close] = ['{', '}'];
  } else {
    throw new TypeError(`cannot write ${typeof value} as JSON`);
  }
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.join(', ') + close;
  const inner = '\n' + ' '.repeat(indent * (level + 1));
  return open + inner + items.join(',' + inner) + '\n' + ' '.repeat(indent * level) + close;
}

/** PyYAML's best_width: a scalar breaks at the first single space past this column. */
const BEST_WIDTH = 80;

/**
 * Folds one `key: scalar` line the way PyYAML's emitter does for plain and
 * single-quoted scalars: at a lone space once the column passes 80, the
 * continuation indented two more than the key.
 */
function foldLine(line: string): string {
  if (line.length <= BEST_WIDTH) return line;
  const m = /^( *)([A-Za-z0-9_.-]+: )(.*)$/.exec(line);
  if (!m) return line;
  const [, indent, key, scalar] = m;
  const quoted = scalar.startsWith("'") && scalar.endsWith("'") && scalar.length >= 2;
  if (!quoted && /^["[{&*!|>%@`#]/.test(scalar)) return line;
  const open = quoted ? "'" : '';
  const text = quoted ? scalar.slice(1, -1) : scalar;
  const continuation = ' '.repeat(indent.length + 2);
  let out = indent + key + open;
  let column = out.length;
  let i = 0;
  while (i < text.length) {
    let j = i;
    if (text[i] === ' ') {
      while (j < text.length && text[j] === ' ') j++;
      const lone = j - i === 1 && i !== 0 && j !== text.length;
      if (lone && column > BEST_WIDTH) {
        out += '\n' + continuation;
        column = continuation.length;
      } else {
        out += text.slice(i, j);
        column += j - i;
      }
    } else {
      while (j < text.length && text[j] !== ' ') j++;
      out += text.slice(i, j);
      column += j - i;
    }
    i = j;
  }
  return out + open;
}

/** `yaml.safe_dump(value, default_flow_style=False)`: sorted keys, unindented lists, YAML 1.1 quoting, PyYAML's folding. */
export function dumpPyYaml(value: unknown): string {
  const text = stringify(value, {
    version: '1.1',
    sortMapEntries: true,
    indentSeq: false,
    singleQuote: true,
    lineWidth: 0,
    nullStr: 'null',
  });
  return text.split('\n').map(foldLine).join('\n');
}

/**
 * `yaml.safe_load`: YAML 1.1 (yes/no booleans, 0o octals…), as MLflow reads
 * MLmodel, except that timestamps stay the strings they were written as.
 */
export function loadPyYaml(text: string): unknown {
  return parse(text, {
    version: '1.1',
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
  }) as unknown;
}
