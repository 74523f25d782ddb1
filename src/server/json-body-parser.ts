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
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      return done(null, safeParse(text));
    } catch (first) {
      try {
        return done(null, safeParse(quoteBareNonFinite(text)));
      } catch {
        return done(new InvalidArgumentError(`Malformed JSON in request body: ${(first as Error).message}`), undefined);
      }
    }
  });
}

function safeParse(text: string): unknown {
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
