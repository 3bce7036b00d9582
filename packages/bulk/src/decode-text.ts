import { BulkFatalError } from './fatal.js';
import type { BulkSource } from './types.js';
import { findInvalidUtf8, incompleteTailLength } from './utf8-scan.js';

/** Large chunks are decoded in slices so no single string grows with the upload. */
const SLICE_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);

function chunksOf(source: BulkSource): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> {
  if (typeof source === 'string' || source instanceof Uint8Array) return [source];
  return source as AsyncIterable<Uint8Array | string>;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < end; i = bytes.indexOf(0x0a, i + 1)) count++;
  return count;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

function hex(byte: number | undefined): string {
  return `0x${(byte ?? 0).toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Turns CRLF and lone CR into LF, keeping a CR at the end of a chunk until the next one is seen. */
function createNewlineNormalizer(): (text: string, final: boolean) => string {
  let heldCr = false;
  return (text, final) => {
    let out = heldCr ? `\r${text}` : text;
    heldCr = !final && out.endsWith('\r');
    if (heldCr) out = out.slice(0, -1);
    return out.includes('\r') ? out.replace(/\r\n?/g, '\n') : out;
  };
}

function notUtf8(at: number, line: number, byte: number | undefined): BulkFatalError {
  return new BulkFatalError({
    code: 'not_utf8',
    message: `the file is not valid UTF-8: byte ${hex(byte)} at byte offset ${at} (line ${line}); save it as UTF-8`,
    line,
    byteOffset: at,
  });
}

/**
 * Streams the source as UTF-8 text with `\n` line ends and no BOM, never holding more than one slice.
 * Throws `BulkFatalError` for `too_large`, `binary` (a NUL byte) and `not_utf8`, with the byte offset
 * and line (lines are counted by LF bytes). All text before the offending byte is yielded first, so
 * what a reader sees before a fatal problem does not depend on how the bytes were chunked.
 */
export async function* decodeText(source: BulkSource, maxBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const normalize = createNewlineNormalizer();
  let offset = 0;
  let newlines = 0;
  let tail: Uint8Array = EMPTY;

  for await (const chunk of chunksOf(source)) {
    const all = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let start = 0; start < all.length; start += SLICE_BYTES) {
      let bytes = all.subarray(start, start + SLICE_BYTES);
      if (offset === 0 && bytes.length >= 2) {
        const [b0, b1] = [bytes[0], bytes[1]];
        if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
          throw new BulkFatalError({
            code: 'not_utf8',
            message: 'the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8',
            line: 1,
            byteOffset: 0,
          });
        }
      }
      // A problem in this slice: keep the bytes before it, decode them, then throw.
      let after: (() => BulkFatalError) | undefined;
      if (offset + bytes.length > maxBytes) {
        bytes = bytes.subarray(0, maxBytes - offset);
        after = () =>
          new BulkFatalError({
            code: 'too_large',
            message: `the file is larger than the limit of ${formatBytes(maxBytes)} (the limit is reached on line ${newlines + 1})`,
            line: newlines + 1,
          });
      }
      const nul = bytes.indexOf(0);
      if (nul !== -1) {
        bytes = bytes.subarray(0, nul);
        after = () =>
          new BulkFatalError({
            code: 'binary',
            message: `the file is binary, not text: NUL byte at byte offset ${offset} (line ${newlines + 1}); upload a UTF-8 CSV or JSONL file`,
            line: newlines + 1,
            byteOffset: offset,
          });
      }
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        const scanned = tail.length > 0 ? concat(tail, bytes) : bytes;
        const found = Math.max(findInvalidUtf8(scanned, false), 0);
        // A fresh decoder for the valid prefix; a BOM is only stripped at the very start of the file.
        const valid = new TextDecoder('utf-8', { ignoreBOM: offset > 0 }).decode(scanned.subarray(0, found));
        const prefix = normalize(valid, true);
        if (prefix.length > 0) yield prefix;
        const at = offset - tail.length + found;
        const line = newlines + (at > offset ? countNewlines(bytes, at - offset) : 0) + 1;
        throw notUtf8(at, line, scanned[found]);
      }
      const combined = bytes.length >= 3 || tail.length === 0 ? bytes : concat(tail, bytes);
      const tailLength = incompleteTailLength(combined);
      tail = tailLength === 0 ? EMPTY : combined.slice(combined.length - tailLength);
      newlines += countNewlines(bytes, bytes.length);
      offset += bytes.length;
      const out = normalize(text, after !== undefined);
      if (out.length > 0) yield out;
      if (after !== undefined) throw after();
    }
  }

  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    const at = offset - tail.length;
    throw new BulkFatalError({
      code: 'not_utf8',
      message: `the file is not valid UTF-8: it ends in the middle of a character at byte offset ${at} (line ${newlines + 1}); save it as UTF-8`,
      line: newlines + 1,
      byteOffset: at,
    });
  }
  const out = normalize(rest, true);
  if (out.length > 0) yield out;
}
