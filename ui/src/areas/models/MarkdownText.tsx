import type { ReactNode } from 'react';

/**
 * A small Markdown renderer for model cards: headings, pipe tables, lists and
 * paragraphs with `code` and _emphasis_. It builds React elements from text
 * only, never HTML, so owner-written card text cannot inject markup; anything
 * it does not know shows as the plain text it is.
 */
export function MarkdownText({ source, headingBase = 3 }: { source: string; headingBase?: number }) {
  return <div className="markdown">{blocks(source.split(/\r?\n/), headingBase)}</div>;
}

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /`([^`]+)`|(?<![\w\\])_([^_]+)_(?!\w)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(m[1] !== undefined ? <code key={m.index}>{m[1]}</code> : <em key={m.index}>{m[2]}</em>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Splits a `| a | b |` row on pipes not escaped as `\|`, then unescapes. */
function cells(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return body.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|').replace(/\\\\/g, '\\'));
}

function blocks(lines: string[], base: number): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, base + heading[1]!.length - 1);
      const Tag = `h${level}` as 'h3';
      out.push(<Tag key={i}>{inline(heading[2]!)}</Tag>);
      i++;
    } else if (line.trim().startsWith('|') && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      const head = cells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && lines[i]!.trim().startsWith('|')) rows.push(cells(lines[i++]!));
      out.push(
        <div className="table-wrap" key={i}>
          <table className="grid-table">
            <thead>
              <tr>
                {head.map((h, j) => (
                  <th scope="col" key={j}>
                    {inline(h)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, k) => (
                <tr key={k}>
                  {r.map((c, j) => (
                    <td key={j}>{inline(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>,
      );
    } else if (/^\s*[-*]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i]!)) items.push(lines[i++]!.replace(/^\s*[-*]\s+/, ''));
      out.push(
        <ul key={i}>
          {items.map((t, k) => (
            <li key={k}>{inline(t)}</li>
          ))}
        </ul>,
      );
    } else if (line.trim() === '') {
      i++;
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6}\s|\s*\||\s*[-*]\s)/.test(lines[i]!)) para.push(lines[i++]!);
      if (para.length === 0) para.push(lines[i++]!);
      out.push(<p key={i}>{inline(para.join(' '))}</p>);
    }
  }
  return out;
}
