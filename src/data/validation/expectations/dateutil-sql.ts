/**
 * An approximation of `dateutil.parser.parse` (what
 * expect_column_values_to_be_dateutil_parseable calls) in DuckDB SQL. dateutil
 * accepts almost any token soup that contains a date; Ferry accepts these
 * forms, after trimming surrounding whitespace:
 *
 * - ISO 8601 dates, datetimes and times, with `T` or space, fractions and
 *   offsets (`2024-01-31`, `2024-01-31T08:00:00.5+02:00`, `08:00`, `8:00:00`);
 * - numeric dates with `/`, `-` or `.` in month-day-year, day-month-year or
 *   year-month-day order, 2- or 4-digit years, optionally followed by a time
 *   (`1/31/2024`, `31.01.2024`, `2024/01/31 08:00`);
 * - month names, full or abbreviated, in either order with the day
 *   (`Jan 31 2024`, `31 January 2024`, `January 31, 2024`, `Jan 2024`), with
 *   an optional leading weekday and trailing time;
 * - RFC 2822 and `ctime` forms (`Wed, 31 Jan 2024 08:00:00 GMT`, `Wed Jan 31 08:00:00 2024`);
 * - compact digits: `YYYYMMDD`, `YYYYMMDDTHHMMSS`, `YYYYMMDDHHMMSS`, a 4-digit year, and a day of month 1–31;
 * - 12-hour times (`8:00 PM`).
 *
 * Every accepted value is also checked to be a real calendar date. Values
 * dateutil accepts but these forms miss (free text such as "the 3rd of May")
 * count as unexpected.
 */

const FORMATS = [
  '%m/%d/%Y', '%m/%d/%y', '%d/%m/%Y', '%d/%m/%y', '%Y/%m/%d',
  '%m-%d-%Y', '%d-%m-%Y', '%m-%d-%y', '%d-%m-%y',
  '%d.%m.%Y', '%d.%m.%y', '%Y.%m.%d', '%m.%d.%Y',
  '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d %H:%M:%S',
  '%d.%m.%Y %H:%M', '%d.%m.%Y %H:%M:%S', '%m/%d/%Y %I:%M %p', '%m/%d/%Y %I:%M:%S %p',
  '%b %d %Y', '%B %d %Y', '%b %d, %Y', '%B %d, %Y', '%d %b %Y', '%d %B %Y', '%d-%b-%Y', '%d-%b-%y', '%d %b, %Y', '%d %B, %Y',
  '%b %Y', '%B %Y', '%b %d', '%B %d', '%d %b', '%d %B',
  '%a, %d %b %Y', '%A, %d %B %Y', '%a %b %d %Y', '%A, %B %d, %Y',
  '%b %d %Y %H:%M', '%b %d %Y %H:%M:%S', '%B %d, %Y %H:%M', '%B %d, %Y %H:%M:%S', '%d %b %Y %H:%M', '%d %b %Y %H:%M:%S',
  '%a, %d %b %Y %H:%M:%S', '%a, %d %b %Y %H:%M:%S %z', '%a, %d %b %Y %H:%M:%S %Z', '%d %b %Y %H:%M:%S %z',
  '%a %b %d %H:%M:%S %Y', '%a %b %d %H:%M:%S %Z %Y',
  '%Y%m%d', '%Y%m%dT%H%M%S', '%Y%m%d%H%M%S', '%Y%m%dT%H%M',
  '%I:%M %p', '%I:%M:%S %p', '%I %p', '%H:%M', '%H:%M:%S', '%Y-%m',
];

/** SQL true when the VARCHAR expression `value` is one of the accepted forms. */
export function dateutilParseableSql(value: string): string {
  const v = `trim(${value})`;
  const formats = `[${FORMATS.map((f) => `'${f}'`).join(', ')}]`;
  // A CASE settles each row at its first matching form; later (costlier) forms only see what is left.
  return `(CASE WHEN ${v} = '' THEN false WHEN try_cast(${v} AS TIMESTAMP) IS NOT NULL THEN true WHEN regexp_full_match(${v}, '\\d{4}|0?[1-9]|[12]\\d|3[01]') THEN true WHEN try_cast(${v} AS TIMESTAMPTZ) IS NOT NULL THEN true WHEN try_cast(${v} AS TIME) IS NOT NULL THEN true ELSE try_strptime(${v}, ${formats}) IS NOT NULL END)`;
}
