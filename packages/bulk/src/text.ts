/**
 * Two facts about a string that the row checks need, counted the way `@vidqueue/aimlapi`'s
 * `validateGenerationParams` counts them (this package does not depend on it, so the few lines are
 * repeated there; the tests of both packages pin the same figures).
 */

/** The length of `text` in characters: Unicode code points (an emoji is one, not two UTF-16 units). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one (no `u` flag: the
// regex sees UTF-16 units). `String.prototype.isWellFormed` says the same but is not in the ES2023 lib.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first unpaired UTF-16 surrogate in `text` written as a JSON escape (`\ud83d`), or undefined when
 * the text is well formed. A JSONL line may hold one (`"\ud83d"` is valid JSON), but it is half a
 * character, not text: stored as UTF-8 it would become U+FFFD, so the row is refused instead.
 */
export function unpairedSurrogate(text: string): string | undefined {
  const found = UNPAIRED_SURROGATE.exec(text);
  return found === null ? undefined : `\\u${found[0].charCodeAt(0).toString(16)}`;
}
