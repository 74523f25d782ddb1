/** Rows of quoted CSV (RFC 4180: "" escapes a quote, quoted fields may hold commas and newlines); stops after `maxRows`. */
export function parseCsv(text: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length && rows.length < maxRows) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  if (rows.length < maxRows && (field !== '' || row.length > 0)) rows.push([...row, field]);
  return rows;
}

export interface SignatureColumn {
  name: string;
  type: string;
}

/** Unquotes a YAML scalar: '…' (with '' for a quote), "…" (JSON escapes) or plain. */
function yamlScalar(raw: string): string {
  const v = raw.trim();
  if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  return v;
}

function columns(json: string): SignatureColumn[] {
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed)) return [];
  return parsed.map((c: any, i: number) => ({
    name: String(c?.name ?? `#${i}`),
    type: c?.type === 'tensor' ? `tensor ${c?.['tensor-spec']?.dtype ?? ''} ${JSON.stringify(c?.['tensor-spec']?.shape ?? [])}`.trim() : String(c?.type ?? '?'),
  }));
}

/**
 * The signature of an MLmodel file: MLflow writes `signature:` with
 * `inputs: '[…json…]'` and `outputs: '[…]'` one level under it. Only that
 * much YAML is read; anything else answers undefined.
 */
export function mlmodelSignature(yaml: string): { inputs: SignatureColumn[]; outputs: SignatureColumn[] } | undefined {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((l) => /^signature:\s*$/.test(l));
  if (start < 0) return undefined;
  const out: { inputs: SignatureColumn[]; outputs: SignatureColumn[] } = { inputs: [], outputs: [] };
  let found = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) break;
    const m = /^\s+(inputs|outputs):\s*(.*)$/.exec(line);
    if (!m) continue;
    // A long quoted scalar may fold onto indented continuation lines.
    let raw = m[2];
    while (i + 1 < lines.length && /^\s{3,}/.test(lines[i + 1]) && !/^\s+\w+:/.test(lines[i + 1])) raw += ` ${lines[++i].trim()}`;
    const value = yamlScalar(raw);
    if (value === '' || value === 'null') continue;
    try {
      out[m[1] as 'inputs' | 'outputs'] = columns(value);
      found = true;
    } catch {
      // Not JSON: show the YAML alone.
    }
  }
  return found ? out : undefined;
}
