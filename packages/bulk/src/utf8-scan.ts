/**
 * Byte-level UTF-8 helpers. `TextDecoder('utf-8', { fatal: true })` decides what is valid; these only
 * locate the offending byte for the error message, and find a sequence cut by a chunk boundary.
 * The rules are the WHATWG decoder's: no overlongs, no surrogates, nothing above U+10FFFF.
 */

/** Bounds of the second byte after a lead byte; later continuation bytes are always 0x80..0xBF. */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** Length of the sequence a lead byte starts: 1 to 4, or 0 for a byte that cannot start one. */
export function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Index of the first byte that starts an invalid sequence, or -1 when all is valid.
 * A sequence cut short by the end of `bytes` counts as invalid only when `final` is true.
 */
export function findInvalidUtf8(bytes: Uint8Array, final: boolean): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length = sequenceLength(lead);
    if (length === 0) return i;
    if (length === 1) {
      i += 1;
      continue;
    }
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return final ? i : -1;
      const byte = bytes[i + k]!;
      const [min, max] = k === 1 ? secondByteRange(lead) : [0x80, 0xbf];
      if (byte < min || byte > max) return i;
    }
    i += length;
  }
  return -1;
}

/** How many bytes at the end of valid UTF-8 `bytes` belong to a sequence the next chunk completes. */
export function incompleteTailLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return sequenceLength(byte) > back ? back : 0;
  }
  return 0;
}
