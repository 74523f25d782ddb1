/**
 * Python's `datetime.strptime` as a regular expression DuckDB (RE2) can run,
 * built the way CPython's `_strptime.TimeRE` builds its own (C locale): each
 * directive becomes the same alternation, whitespace matches `\s+`, the whole
 * pattern is case-insensitive and must consume the entire value ("unconverted
 * data remains" otherwise). Python takes its preferred match and then checks
 * the length; RE2 asks for any full match. They agree because each directive's
 * longer alternatives come first, so the preferred match of a value is its longest.
 */

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Longest first, as CPython's `__seqToRE` sorts them, so `may` does not cut `mayo`-like prefixes short. */
const alternation = (names: string[]) => `(${[...names].sort((a, b) => b.length - a.length).join('|')})`;

const DIRECTIVES: Record<string, string> = {
  d: '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  f: '([0-9]{1,6})',
  H: '(2[0-3]|[0-1]\\d|\\d)',
  I: '(1[0-2]|0[1-9]|[1-9])',
  G: '(\\d\\d\\d\\d)',
  j: '(36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])',
  m: '(1[0-2]|0[1-9]|[1-9])',
  M: '([0-5]\\d|\\d)',
  S: '(6[0-1]|[0-5]\\d|\\d)',
  U: '(5[0-3]|[0-4]\\d|\\d)',
  W: '(5[0-3]|[0-4]\\d|\\d)',
  w: '([0-6])',
  u: '([1-7])',
  V: '(5[0-3]|0[1-9]|[1-4]\\d|\\d)',
  y: '(\\d\\d)',
  Y: '(\\d\\d\\d\\d)',
  z: '([+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|(?-i:Z))',
  A: alternation(WEEKDAYS),
  a: alternation(WEEKDAYS.map((d) => d.slice(0, 3))),
  B: alternation(MONTHS),
  b: alternation(MONTHS.map((m) => m.slice(0, 3))),
  p: '(am|pm)',
  Z: '(utc|gmt)',
};

/** The C locale's composite directives, expanded before translation as CPython does. */
const COMPOSITES: Record<string, string> = { c: '%a %b %d %H:%M:%S %Y', x: '%m/%d/%y', X: '%H:%M:%S' };

/** A Python strptime format translated for DuckDB. */
export interface StrftimePattern {
  /** RE2 pattern for the whole value (match it with regexp_full_match); capture group n holds directive `groups[n-1]`. */
  regex: string;
  /** The directive letter of each capture group, in order. */
  groups: string[];
}

/**
 * Translates a Python `strptime` format.
 * @throws Error with Python's wording for a bad directive, a stray `%`, or a directive used twice.
 */
export function strftimePattern(format: string): StrftimePattern {
  let expanded = '';
  for (let i = 0; i < format.length; i++) {
    if (format[i] === '%' && i + 1 < format.length && COMPOSITES[format[i + 1]!]) {
      expanded += COMPOSITES[format[i + 1]!];
      i++;
    } else {
      expanded += format[i];
    }
  }
  let regex = '';
  const groups: string[] = [];
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i]!;
    if (ch === '%') {
      const directive = expanded[i + 1];
      if (directive === undefined) throw new Error(`stray % in format '${format}'`);
      i++;
      if (directive === '%') {
        regex += '%';
        continue;
      }
      const pattern = DIRECTIVES[directive];
      if (pattern === undefined) throw new Error(`'${directive}' is a bad directive in format '${format}'`);
      if (groups.includes(directive)) throw new Error(`directive %${directive} appears twice in format '${format}'`);
      groups.push(directive);
      regex += pattern;
    } else if (/\s/.test(ch)) {
      while (i + 1 < expanded.length && /\s/.test(expanded[i + 1]!)) i++;
      regex += '\\s+';
    } else {
      regex += /[\\.^$*+?(){}[\]|]/.test(ch) ? `\\${ch}` : ch;
    }
  }
  return { regex: `(?i)${regex}`, groups };
}

// Directives DuckDB's strptime reads as Python does; with only these, its parse is a fast first check.
const DUCKDB_SAFE = new Set(['Y', 'm', 'd', 'H', 'M', 'S', 'f', 'y', 'b', 'B', 'I', 'p']);

/**
 * Whether `strftimeMatchSql` takes DuckDB's format as a fast first check: only
 * where a calendar check is needed (a day of month is parsed) and DuckDB reads
 * every directive as Python does.
 */
export function duckdbCanParse(pattern: StrftimePattern): boolean {
  return pattern.groups.includes('d') && pattern.groups.every((g) => DUCKDB_SAFE.has(g));
}

/**
 * SQL that is true when `value` (a VARCHAR expression) parses with the format,
 * as `datetime.strptime` would: the pattern matches the whole value and, when
 * a day of month is given, that day exists in its month (year 1900 and
 * January when not given, as Python defaults). With `duckFormatParam` DuckDB's
 * own strptime answers first; the exact check only runs where it says no.
 */
export function strftimeMatchSql(value: string, pattern: StrftimePattern, regexParam: string, duckFormatParam?: string): string {
  const whole = `regexp_full_match(${value}, ${regexParam})`;
  const group = (directive: string) => {
    const n = pattern.groups.indexOf(directive) + 1;
    return n > 0 ? `regexp_extract(${value}, ${regexParam}, ${n})` : undefined;
  };
  const day = group('d');
  if (day === undefined) return whole;
  const fullYear = group('Y');
  const shortYear = group('y');
  // Python's %y pivot: 69–99 are 1900s, 00–68 are 2000s.
  const year = fullYear
    ? `CAST(${fullYear} AS INTEGER)`
    : shortYear
      ? `(CASE WHEN CAST(${shortYear} AS INTEGER) >= 69 THEN 1900 ELSE 2000 END + CAST(${shortYear} AS INTEGER))`
      : '1900';
  const monthNumber = group('m');
  const monthName = group('B') ?? group('b');
  const month = monthNumber
    ? `CAST(${monthNumber} AS INTEGER)`
    : monthName
      ? `(CASE lower(left(${monthName}, 3)) ${MONTHS.map((m, i) => `WHEN '${m.slice(0, 3)}' THEN ${i + 1}`).join(' ')} END)`
      : '1';
  const valid = `(${year} >= 1 AND try_strptime(printf('%04d-%02d-%02d', ${year}, ${month}, CAST(trim(${day}) AS INTEGER)), '%Y-%m-%d') IS NOT NULL)`;
  // CASE evaluates later branches only for rows earlier ones did not settle, so the costly extraction runs rarely.
  const fast = duckFormatParam === undefined ? '' : ` WHEN try_strptime(${value}, ${duckFormatParam}) IS NOT NULL THEN true`;
  return `(CASE WHEN NOT ${whole} THEN false${fast} ELSE ${valid} END)`;
}
