/**
 * How the provider's string bounds are counted (`@vidqueue/bulk` counts prompts the same way, with its
 * own copy of these lines: neither package depends on the other).
 */

/**
 * The length of `text` in characters, as every prompt limit counts them: Unicode code points (an emoji
 * such as 🦊 is one character, though two UTF-16 units of `text.length`). `@vidqueue/bulk` counts the same.
 */
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
 * the text is well formed. JSON allows such a half character (`"\ud83d"`), but it is not text: Redis,
 * UTF-8 and the provider turn it into U+FFFD, so a request holding one is refused rather than altered.
 */
export function unpairedSurrogate(text: string): string | undefined {
  const found = UNPAIRED_SURROGATE.exec(text);
  return found === null ? undefined : `\\u${found[0].charCodeAt(0).toString(16)}`;
}
