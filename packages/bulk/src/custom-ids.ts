/**
 * The custom ids of a file read so far, each with the line of its first use: the one per-file state of
 * a read, bounded by maxRows. Kept off the V8 heap (the ids' UTF-16 code units in one growing Buffer, an
 * open-addressing table in an Int32Array): a Map of 100,000 ids holds about 6 MB of strings and hash
 * tables in the old space while the file is read, and V8 sets the next old-space limit to about four
 * times what is live at a full collection, so in the API a collection during pass one turned that
 * Map into up to some 20 MB more peak RSS for the rest of the upload.
 */

/** Table slot fields: offset of the id's bytes + 1 (0: empty slot), byte length, line, hash. */
const FIELDS = 4;
const INITIAL_SLOTS = 1024;
const INITIAL_BYTES = 16 * 1024;

/** FNV-1a over the string's UTF-16 code units, as a 32-bit integer. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class CustomIdIndex {
  private bytes: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;
  private slots = new Int32Array(INITIAL_SLOTS * FIELDS);
  private size = 0;

  /** How many ids are kept. */
  get count(): number {
    return this.size;
  }

  /**
   * The line `id` was first used on, when it was seen before; otherwise undefined, and `id` is
   * remembered as first used on `line`.
   */
  claim(id: string, line: number): number | undefined {
    const hash = hashId(id);
    // Kept as UTF-16 code units, exactly as the string has them (lone surrogates too).
    const length = id.length * 2;
    const mask = this.slots.length / FIELDS - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const at = i * FIELDS;
      const offset = this.slots[at] ?? 0;
      if (offset === 0) {
        this.reserve(length);
        this.bytes.write(id, this.used, 'utf16le');
        this.slots[at] = this.used + 1;
        this.slots[at + 1] = length;
        this.slots[at + 2] = line;
        this.slots[at + 3] = hash;
        this.used += length;
        this.size++;
        if (this.size * 2 > mask + 1) this.grow();
        return undefined;
      }
      if (
        this.slots[at + 3] === hash &&
        this.slots[at + 1] === length &&
        this.bytes.toString('utf16le', offset - 1, offset - 1 + length) === id
      ) {
        return this.slots[at + 2];
      }
    }
  }

  /** Room for `extra` more bytes of ids. */
  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + extra));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }

  /** Twice the slots, every id placed again by its kept hash. */
  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length / FIELDS - 1;
    for (let at = 0; at < old.length; at += FIELDS) {
      if ((old[at] ?? 0) === 0) continue;
      let i = (old[at + 3] ?? 0) & mask;
      while ((this.slots[i * FIELDS] ?? 0) !== 0) i = (i + 1) & mask;
      for (let f = 0; f < FIELDS; f++) this.slots[i * FIELDS + f] = old[at + f] ?? 0;
    }
  }
}
