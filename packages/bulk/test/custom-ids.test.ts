import { describe, expect, it } from 'vitest';
import { CustomIdIndex } from '../src/custom-ids.js';

describe('CustomIdIndex', () => {
  it('answers the line of the first use of an id seen before, through many table and arena growths', () => {
    const index = new CustomIdIndex();
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(index.claim(`row-${i}`, i + 2)).toBeUndefined();
    expect(index.count).toBe(n);
    for (const i of [0, 1, 1023, 1024, 32_767, n - 1]) expect(index.claim(`row-${i}`, n + 10)).toBe(i + 2);
    // A repeat is not kept: the first line stays the answer.
    expect(index.claim('row-7', 99_999)).toBe(9);
    expect(index.count).toBe(n);
    expect(index.claim(`row-${n}`, 1)).toBeUndefined();
  });

  it('tells apart ids that differ in any code unit, lone surrogates included', () => {
    const index = new CustomIdIndex();
    const ids = [
      'a',
      'A',
      'a ',
      'é',
      'e\u0301',
      '日本',
      '\ud800',
      '\udc00',
      '\ud83d\ude00',
      '',
      'x'.repeat(200),
    ];
    ids.forEach((id, i) => expect(index.claim(id, i + 1), JSON.stringify(id)).toBeUndefined());
    ids.forEach((id, i) => expect(index.claim(id, 1000), JSON.stringify(id)).toBe(i + 1));
  });
});
