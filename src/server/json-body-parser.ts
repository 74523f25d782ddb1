import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError } from '../errors.js';

/**
 * JSON bodies as MLflow's clients send them. Python's json module writes bare
 * NaN/Infinity tokens, which JSON.parse rejects, so a body that fails to parse
 * is retried with those tokens quoted (protobuf's JSON form). An empty body is {}.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/json'], { parseAs: 'string' }, (_req, body, done) => {
    let value: unknown;
    try {
      value = parseJsonBody(body as string);
    } catch (err) {
      return done(err as Error, undefined);
    }
    return done(null, value);
  });
}

/**
 * Parses a JSON request body as the server's parser does (bare NaN/Infinity
 * accepted, prototype keys and deep nesting refused, '' is {}), for routes
 * that read the body themselves.
 * @throws InvalidArgumentError saying what is wrong.
 */
export function parseJsonBody(body: string): unknown {
  const text = body.trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = safeParse(text);
  } catch (first) {
    try {
      value = safeParse(quoteBareNonFinite(text));
    } catch {
      throw new InvalidArgumentError(`Malformed JSON in request body: ${(first as Error).message}`);
    }
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) throw new InvalidArgumentError(`JSON request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  return value;
}

/**
 * protobuf's JSON parser (MLflow's) refuses nesting past 100 levels. JSON.parse
 * accepts far deeper values, on which JSON.stringify and String() overflow the stack.
 */
const MAX_JSON_DEPTH = 100;

/** Walks arrays and objects without recursion, so the check itself cannot overflow. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<{ v: object; depth: number }> = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push({ v: child, depth: depth + 1 });
    }
  }
  return false;
}

const SUSPICIOUS = /"(?:__proto__|constructor)"\s*:/;

function safeParse(text: string): unknown {
  // A reviver costs a call per value, so only bodies that mention a dangerous key pay for the check.
  if (!SUSPICIOUS.test(text)) return JSON.parse(text);
  // Refuse prototype-pollution keys outright rather than silently dropping them.
  return JSON.parse(text, (key, value) => {
    if (key === '__proto__' || key === 'constructor') throw new SyntaxError(`forbidden key '${key}'`);
    return value;
  });
}

/** Quotes NaN, Infinity and -Infinity tokens that stand outside strings. */
export function quoteBareNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += `"${m[1]}"`;
      i += m[1]!.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}
