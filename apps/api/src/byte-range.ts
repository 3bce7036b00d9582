export type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range of a `size`-byte file (RFC 9110): the range, 'unsatisfiable' (answer 416), or
 * undefined when the header is absent, malformed or asks for several ranges (then the whole file is
 * sent, as the RFC allows).
 */
export function parseByteRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (start >= size) return 'unsatisfiable';
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

/**
 * Whether a Range applies under `If-Range`: with no If-Range always; with one, only when it names this
 * representation (a strong ETag match; a date is not honoured: our ETag is the content's hash).
 */
export function rangeApplies(ifRange: string | undefined, etag: string): boolean {
  return ifRange === undefined || ifRange.trim() === etag;
}

/**
 * Whether `If-None-Match` matches our ETag (RFC 9110 §13.1.2): `*`, or a list of entity tags compared
 * weakly (`W/"…"` matches `"…"`). A match answers 304.
 */
export function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return (value.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => tag.replace(/^W\//, '') === opaque);
}
