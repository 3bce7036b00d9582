import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_ID } from '@vidqueue/aimlapi';
import { isProducerError, validateVideoRequest } from '../src/producer/index.js';

const limits = { defaultModel: DEFAULT_MODEL_ID, maxPromptLength: 4000 };

/** The VALIDATION_ERROR details of a refused request. */
function issuesOf(input: unknown): unknown {
  try {
    validateVideoRequest(input, limits);
  } catch (err) {
    if (isProducerError(err) && err.code === 'VALIDATION_ERROR') return err.details;
    throw err;
  }
  throw new Error('expected the request to be refused');
}

const half = (what: string, unit: string) =>
  `${what} contains an unpaired surrogate (${unit}): half of a character, not text`;

describe('validateVideoRequest: half characters (a JSON body can escape one, "\\ud83d")', () => {
  it('refuses an unpaired surrogate in the prompt, custom_id, a metadata value or key, each on its path', () => {
    expect(issuesOf(JSON.parse('{"prompt":"bad \\ud83d here"}'))).toEqual([
      { path: 'prompt', message: half('prompt', '\\ud83d') },
    ]);
    expect(
      issuesOf(
        JSON.parse('{"prompt":"ok","custom_id":"c\\udc00","metadata":{"note":"\\ud800","k\\udfff":"v"}}'),
      ),
    ).toEqual([
      { path: 'custom_id', message: half('custom_id', '\\udc00') },
      { path: 'metadata.note', message: half('metadata value of "note"', '\\ud800') },
      { path: 'metadata', message: half('metadata key "k\\udfff"', '\\udfff') },
    ]);
  });

  it('takes whole characters, and counts an emoji prompt in characters', () => {
    const data = validateVideoRequest(
      JSON.parse('{"prompt":"a \\ud83e\\udd8a","custom_id":"🦊","metadata":{"🦊":"🦊"}}'),
      limits,
    );
    expect(data).toEqual({
      input: { model: DEFAULT_MODEL_ID, prompt: 'a 🦊' },
      customId: '🦊',
      metadata: { '🦊': '🦊' },
    });
    // MAX_PROMPT_LENGTH is in characters: 4000 emoji are 8000 UTF-16 units, and fit.
    const fox = '🦊'.repeat(4000);
    expect(validateVideoRequest({ prompt: fox }, limits).input.prompt).toBe(fox);
    expect(issuesOf({ prompt: `${fox}🦊` })).toMatchObject([{ path: 'prompt' }]);
  });
});
