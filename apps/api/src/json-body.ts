import { HttpError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON request body, refused with a 400 that says what is wrong with it: empty, not UTF-8 (instead of
 * U+FFFD stored in a prompt and sent to the provider), a syntax error with its position, or a key that
 * could change an object's prototype (`__proto__`, `constructor.prototype`: refused, as Fastify's own
 * parser does, but named instead of "not valid JSON").
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError.BadRequest('The body is empty; send a JSON object');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new HttpError.BadRequest('The body is not valid UTF-8; send JSON encoded as UTF-8');
  }
  let forbidden: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') forbidden ??= '"__proto__"';
      else if (key === 'constructor' && v !== null && typeof v === 'object' && Object.hasOwn(v, 'prototype'))
        forbidden ??= '"constructor" with a "prototype"';
      return v;
    });
  } catch (err) {
    throw new HttpError.BadRequest(`The body is not valid JSON: ${(err as Error).message}`);
  }
  if (forbidden !== undefined) {
    throw new HttpError.BadRequest(
      `The body has a key ${forbidden}, which is refused anywhere in a request; rename it`,
    );
  }
  return value;
}
