import { describe, expect, it } from 'vitest';
import { validateBulkFile, type BulkFatalCode, type BulkFormat, type BulkLimits } from '../src/index.js';
import { options, pieces } from './helpers.js';

/**
 * A generated corpus of malformed files. Each must end in a fatal problem or in row errors, every one
 * with a line number and a message, the expected code or column among them, and the same result
 * whether the bytes arrive whole or in small pieces. Nothing may throw.
 */
type Expect = { fatal: BulkFatalCode; line?: number } | { column: string | undefined; line: number };
type Case = {
  name: string;
  format: BulkFormat;
  content: Uint8Array;
  expect: Expect;
  limits?: Partial<BulkLimits>;
};

const enc = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const join = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const LIMITS = { maxBytes: 200_000, maxRows: 50, maxRecordSize: 20_000 };

const GOOD_ROWS = [
  'a red fox in snow,5,3:2,fox',
  'a lighthouse at dusk,10,1:1,light',
  '"waves, crashing",5,2:3,waves',
];
const HEADER = 'prompt,duration,aspect_ratio,custom_id';
const csvWith = (row: string, at: number): string => {
  const rows = [...GOOD_ROWS];
  rows.splice(at, 0, row);
  return `${HEADER}\n${rows.join('\n')}\n`;
};
const GOOD_JSON = [
  { prompt: 'a red fox' },
  { prompt: 'a lighthouse', duration: 10 },
  { prompt: 'waves', custom_id: 'w' },
];
const jsonlWith = (line: string, at: number): string => {
  const lines = GOOD_JSON.map((o) => JSON.stringify(o));
  lines.splice(at, 0, line);
  return `${lines.join('\n')}\n`;
};

function buildCorpus(): Case[] {
  const cases: Case[] = [];
  const add = (
    name: string,
    format: BulkFormat,
    content: string | Uint8Array,
    expect: Expect,
    limits: Partial<BulkLimits> = LIMITS,
  ): void => {
    cases.push({
      name,
      format,
      content: typeof content === 'string' ? enc(content) : content,
      expect,
      limits,
    });
  };

  // Quotes that are never closed, at each row position, in CSV. A later quote closes it, making one
  // long ragged row; with no later quote the file ends inside the quotes.
  for (let at = 0; at <= GOOD_ROWS.length; at++) {
    const expect: Expect =
      at < GOOD_ROWS.length ? { column: undefined, line: at + 2 } : { fatal: 'parse_error', line: at + 2 };
    add(`unclosed quote before row ${at + 1}`, 'csv', csvWith('"a fox that never ends,5,3:2,x', at), expect);
    add(
      `unclosed quote with CRLF before row ${at + 1}`,
      'csv',
      csvWith('x,5,"3:2,y', at).replace(/\n/g, '\r\n'),
      expect,
    );
  }
  add('unclosed quote swallowing a long tail', 'csv', `prompt\na\n"${'more text\n'.repeat(3000)}`, {
    fatal: 'parse_error',
    line: 3,
  });

  // Headers.
  for (const header of ['promt,duration', 'text,model', 'Prompts;duration', 'description\tcustom_id']) {
    add(`header without prompt: ${header}`, 'csv', `${header}\nsomething,5\n`, {
      fatal: 'missing_prompt_column',
      line: 1,
    });
  }
  for (const first of ['a cat on the moon,5', 'sunset;10', '"quoted data",x', '12345']) {
    add(`data instead of a header: ${first}`, 'csv', `${first}\nmore data,5\n`, {
      fatal: 'no_header',
      line: 1,
    });
  }
  for (const header of ['prompt,prompt', 'prompt,Model,model', 'PROMPT, prompt ', 'prompt,note,Note']) {
    add(`duplicate column: ${header}`, 'csv', `${header}\na,b,c\n`, { fatal: 'duplicate_column', line: 1 });
  }
  add('header after blank lines without prompt', 'csv', '\n\n\nmodel,duration\nx,5\n', {
    fatal: 'missing_prompt_column',
    line: 4,
  });

  // Empty and header-only files.
  const empties = ['', '\n', '\r\n\r\n', '   \n\t\n', '\uFEFF', '\uFEFF\r\n'];
  empties.forEach((text, i) => {
    add(`empty csv #${i}`, 'csv', text, { fatal: 'empty_file', line: 1 });
    add(`empty jsonl #${i}`, 'jsonl', text, { fatal: 'empty_file', line: 1 });
  });
  add('only separators', 'csv', ',,,\n,,\n', { fatal: 'empty_file', line: 1 });
  add('separators then a line of semicolons', 'csv', ',,,\n;;\n', { fatal: 'no_header', line: 2 });
  for (const header of [
    'prompt',
    'prompt,duration\n',
    'prompt;model\r\n\r\n',
    '\uFEFFprompt\tcustom_id\n\n\t\n',
  ]) {
    add(`header only: ${JSON.stringify(header)}`, 'csv', header, { fatal: 'no_rows', line: 1 });
  }

  // Binary data.
  const binaries: [string, number[]][] = [
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]],
    ['ZIP (xlsx)', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]],
    ['PDF with NUL', [...enc('%PDF-1.7\n'), 0x00, 0x01]],
    ['gzip', [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]],
  ];
  for (const [name, data] of binaries) {
    add(`binary csv: ${name}`, 'csv', Uint8Array.from(data), { fatal: 'not_utf8' });
    add(`binary jsonl: ${name}`, 'jsonl', Uint8Array.from(data), { fatal: 'not_utf8' });
  }
  // PNG and ZIP fail as UTF-8 first (0x89, 0x8B...) except where a NUL comes first:
  cases.forEach((c) => {
    if (!c.name.startsWith('binary ')) return;
    const nul = c.content.indexOf(0);
    const bad = c.content.findIndex((b) => b >= 0x80);
    if (nul !== -1 && (bad === -1 || nul < bad)) c.expect = { fatal: 'binary' };
  });
  for (const at of [0, 1, 2, 3]) {
    add(`NUL in csv row ${at}`, 'csv', join(csvWith('x', at).slice(0, 40), [0], 'tail\n'), {
      fatal: 'binary',
    });
    add(`NUL in jsonl line ${at}`, 'jsonl', join(jsonlWith('{"prompt":"x"}', at).slice(0, 30), [0]), {
      fatal: 'binary',
    });
  }

  // Bad UTF-8.
  const badBytes: [string, number[]][] = [
    ['0xFF', [0xff]],
    ['Latin-1 é', [0xe9]],
    ['lone continuation', [0x80]],
    ['overlong slash', [0xc0, 0xaf]],
    ['surrogate', [0xed, 0xa0, 0x80]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated 3-byte', [0xe6, 0x97, 0x20]],
  ];
  for (const [name, seq] of badBytes) {
    add(`bad UTF-8 in csv: ${name}`, 'csv', join('prompt,duration\nok,5\nbad ', seq, ' here,5\n'), {
      fatal: 'not_utf8',
      line: 3,
    });
    add(`bad UTF-8 in jsonl: ${name}`, 'jsonl', join('{"prompt":"ok"}\n{"prompt":"', seq, '"}\n'), {
      fatal: 'not_utf8',
      line: 2,
    });
  }
  add('truncated character at the end', 'csv', join('prompt\nfox ', [0xf0, 0x9f]), {
    fatal: 'not_utf8',
    line: 2,
  });
  add('UTF-16 LE', 'csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('prompt\na\n', 'utf16le')]), {
    fatal: 'not_utf8',
    line: 1,
  });
  add('UTF-16 BE', 'jsonl', Buffer.from([0xfe, 0xff, 0x00, 0x7b]), { fatal: 'not_utf8', line: 1 });

  // Size limits.
  const noRowLimit = { ...LIMITS, maxRows: 100_000 };
  add('too large', 'csv', `prompt\n${'a long prompt\n'.repeat(20_000)}`, { fatal: 'too_large' }, noRowLimit);
  add(
    'too large jsonl',
    'jsonl',
    '{"prompt":"a long prompt"}\n'.repeat(10_000),
    { fatal: 'too_large' },
    noRowLimit,
  );
  add('too many rows', 'csv', `prompt\n${'p\n'.repeat(60)}`, { fatal: 'too_many_rows', line: 52 });
  add('too many rows jsonl', 'jsonl', '{"prompt":"p"}\n'.repeat(60), { fatal: 'too_many_rows', line: 51 });
  add('huge cell', 'csv', `prompt,note\na,"${'x'.repeat(30_000)}"\n`, { fatal: 'parse_error', line: 2 });
  add('long prompt', 'csv', `prompt\n${'y'.repeat(4500)}\n`, { column: 'prompt', line: 2 });
  add('huge jsonl line', 'jsonl', jsonlWith(JSON.stringify({ prompt: 'z'.repeat(30_000) }), 1), {
    column: undefined,
    line: 2,
  });

  // Invalid enums and numbers, at each row position.
  const badCells: [string, string][] = [
    ['duration', 'x,7,3:2,i'],
    ['duration', 'x,0,3:2,i'],
    ['duration', 'x,-5,3:2,i'],
    ['duration', 'x,5.5,3:2,i'],
    ['duration', 'x,five,3:2,i'],
    ['duration', 'x,99999999999999999999,3:2,i'],
    ['aspect_ratio', 'x,5,16:9,i'],
    ['aspect_ratio', 'x,5,4:3,i'],
    ['aspect_ratio', 'x,5,square,i'],
    ['prompt', ',5,3:2,i'],
    ['prompt', '"   ",5,3:2,i'],
    ['custom_id', 'x,5,3:2,fox'],
  ];
  badCells.forEach(([column, row], i) => {
    const at = i % (GOOD_ROWS.length + 1);
    const content = csvWith(row, at);
    // A duplicate custom_id is reported on the second use, which may be the good row after it.
    const line = column === 'custom_id' && at === 0 ? 3 : at + 2;
    add(`bad ${column} "${row}" at row ${at + 1}`, 'csv', content, { column, line });
  });
  for (const [model, at] of [
    ['acme/video-1', 0],
    ['sber-ai/kandinsky5', 1],
    ['SBER-AI/KANDINSKY5-DISTILL-T2V', 2],
  ] as const) {
    const rows = GOOD_ROWS.map((row, i) => `${row},${i === at ? model : ''}`);
    add(`unknown model ${model}`, 'csv', `${HEADER},model\n${rows.join('\n')}\n`, {
      column: 'model',
      line: at + 2,
    });
  }
  for (const steps of ['1.5', 'many']) {
    add(`num_inference_steps ${steps}`, 'csv', `prompt,num_inference_steps\na,30\nb,${steps}\n`, {
      column: 'num_inference_steps',
      line: 3,
    });
  }

  // Ragged rows and mixed delimiters.
  for (const [row, at] of [
    ['x,5', 0],
    ['x,5,3:2,i,extra', 1],
    ['x', 2],
    ['x;5;3:2;i', 3],
    ['x\t5\t3:2\ti', 1],
  ] as const) {
    add(`ragged row ${JSON.stringify(row)}`, 'csv', csvWith(row, at), { column: undefined, line: at + 2 });
  }
  add('semicolon header, comma rows', 'csv', 'prompt;duration\na fox,5\n', { column: undefined, line: 2 });
  add('tab header, semicolon rows', 'csv', 'prompt\tduration\tcustom_id\na;5;x\n', {
    column: undefined,
    line: 2,
  });
  add('value under an unnamed column', 'csv', 'prompt,,duration\na,stray,5\n', {
    column: undefined,
    line: 2,
  });

  // Bad JSON lines, at each position.
  const badLines = [
    '{"prompt": "cut',
    '{"prompt": "a",}',
    "{'prompt': 'a'}",
    '{prompt: "a"}',
    '{"prompt": NaN}',
    '[{"prompt":"a"}]',
    '["a","b"]',
    '"a prompt"',
    '42',
    'null',
    'true',
    '}{',
  ];
  badLines.forEach((line, i) => {
    const at = i % (GOOD_JSON.length + 1);
    add(`bad JSON ${line}`, 'jsonl', jsonlWith(line, at), { column: undefined, line: at + 1 });
  });

  // JSON objects with bad fields.
  const badObjects: [string | undefined, unknown][] = [
    ['seed', { prompt: 'a', seed: 1 }],
    ['Prompt', { Prompt: 'a' }],
    ['prompt', { prompt: 5 }],
    ['prompt', { prompt: ['a'] }],
    ['prompt', { prompt: '' }],
    ['prompt', { duration: 5 }],
    ['duration', { prompt: 'a', duration: 5.5 }],
    ['duration', { prompt: 'a', duration: 'five' }],
    ['duration', { prompt: 'a', duration: 7 }],
    ['duration', { prompt: 'a', duration: 1e21 }],
    ['num_inference_steps', { prompt: 'a', num_inference_steps: 1.5 }],
    ['aspect_ratio', { prompt: 'a', aspect_ratio: 1 }],
    ['aspect_ratio', { prompt: 'a', aspect_ratio: '9:16' }],
    ['model', { prompt: 'a', model: 'acme/x' }],
    ['model', { prompt: 'a', model: 3 }],
    ['metadata', { prompt: 'a', metadata: [1, 2] }],
    ['metadata', { prompt: 'a', metadata: 'x' }],
    ['metadata.deep', { prompt: 'a', metadata: { deep: { x: 1 } } }],
    ['metadata.list', { prompt: 'a', metadata: { list: [] } }],
    ['custom_id', { prompt: 'a', custom_id: true }],
    ['custom_id', { prompt: 'a', custom_id: 'w' }],
  ];
  badObjects.forEach(([column, object], i) => {
    const at = i % GOOD_JSON.length;
    // custom_id "w" duplicates the third good line, which then comes second (line 4).
    const line = column === 'custom_id' && (object as { custom_id: unknown }).custom_id === 'w' ? 4 : at + 1;
    add(`bad field ${JSON.stringify(object)}`, 'jsonl', jsonlWith(JSON.stringify(object), at), {
      column,
      line,
    });
  });

  return cases;
}

const corpus = buildCorpus();

describe('generated corpus of malformed files', () => {
  it('has at least 100 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const opts = options(c.format, c.limits);
    const whole = await validateBulkFile(c.content, opts);
    const small = c.content.length > 50_000 ? 997 : 2;
    const split = await validateBulkFile(pieces(c.content, small), opts);
    expect(split).toEqual(whole);

    expect(whole.fatal !== undefined || whole.errorCount > 0).toBe(true);
    if (whole.fatal !== undefined) {
      expect(whole.fatal.line).toBeGreaterThanOrEqual(1);
      expect(whole.fatal.message.length).toBeGreaterThan(10);
    }
    for (const error of whole.errors) {
      expect(error.line).toBeGreaterThanOrEqual(1);
      expect(error.message.length).toBeGreaterThan(10);
    }

    if ('fatal' in c.expect) {
      expect(whole.fatal?.code).toBe(c.expect.fatal);
      if (c.expect.line !== undefined) expect(whole.fatal?.line).toBe(c.expect.line);
    } else {
      expect(whole.fatal).toBeUndefined();
      expect(whole.errors.map((e) => [e.line, e.column])).toContainEqual([c.expect.line, c.expect.column]);
    }
  });
});
