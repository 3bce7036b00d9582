import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { makeApp, testRedis, type TestApp } from './helpers.js';
import { jobTotal, multipartBody, postBatch, type ErrorReply } from './batch-helpers.js';

/**
 * A generated corpus of malformed files, sent through HTTP (as a body, and every third one as a
 * multipart upload). Each must get a 4xx with a message, never a 5xx, and nothing may be enqueued.
 */
type Case = { name: string; format: 'csv' | 'jsonl'; content: Buffer };

const HEADER = 'prompt,duration,aspect_ratio,custom_id';
const GOOD = [
  'a red fox in snow,5,3:2,fox',
  'a lighthouse at dusk,10,1:1,light',
  '"waves, crashing",5,2:3,waves',
];
const GOOD_JSON = ['{"prompt":"a red fox"}', '{"prompt":"a lighthouse","duration":10}', '{"prompt":"waves"}'];
const b = (s: string) => Buffer.from(s, 'utf8');

function csvWith(row: string, at: number, header = HEADER): string {
  const rows = [...GOOD];
  rows.splice(at, 0, row);
  return `${header}\n${rows.join('\n')}\n`;
}
function jsonlWith(line: string, at: number): string {
  const lines = [...GOOD_JSON];
  lines.splice(at, 0, line);
  return `${lines.join('\n')}\n`;
}

function corpus(): Case[] {
  const cases: Case[] = [];
  const csv = (name: string, content: string | Buffer) =>
    cases.push({ name, format: 'csv', content: typeof content === 'string' ? b(content) : content });
  const jsonl = (name: string, content: string | Buffer) =>
    cases.push({ name, format: 'jsonl', content: typeof content === 'string' ? b(content) : content });

  for (let at = 0; at <= GOOD.length; at++) {
    csv(`unclosed quote at row ${at}`, csvWith('"a fox that never ends,5,3:2,x', at));
    csv(`unclosed quote, CRLF, at row ${at}`, csvWith('x,5,"3:2,y', at).replace(/\n/g, '\r\n'));
  }
  csv('unclosed quote swallowing the file', `prompt\na\n"${'more text\n'.repeat(100)}`);
  for (const header of [
    'text,duration',
    'Prompt2,duration',
    'a red fox,5',
    'duration;aspect_ratio',
    'model',
    ',,,',
  ]) {
    csv(`wrong header ${header}`, `${header}\na,5\n`);
  }
  csv('duplicate column', 'prompt,Prompt\na,b\n');
  csv('duplicate column with spaces', 'prompt, duration ,duration\na,5,5\n');
  csv('header named twice after other columns', 'custom_id,prompt,custom_id\na,b,c\n');
  for (let i = 0; i < 6; i++) {
    const bytes = Buffer.from(csvWith('fine,5,3:2,z', 1));
    bytes[10 + i * 15] = 0;
    csv(`NUL byte at ${10 + i * 15}`, bytes);
  }
  csv('PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
  csv(
    'ZIP (xlsx)',
    Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), Buffer.alloc(40, 1)]),
  );
  jsonl('gzip', Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0, 0]));
  csv('empty file', '');
  csv('only whitespace', ' \n\n\t\n');
  jsonl('empty JSONL', '');
  jsonl('blank JSONL lines', '\n\n\n');
  csv('header only', `${HEADER}\n`);
  csv('header only with CRLF and blank lines', `${HEADER}\r\n\r\n\r\n`);
  csv('BOM and header only', `\uFEFF${HEADER}`);
  csv('header and empty cells', `${HEADER}\n,,,\n`);
  for (const [i, size] of [201, 500, 1000, 3000].entries()) {
    csv(`huge cell ${i}`, csvWith(`${'x'.repeat(size)},5,3:2,h`, 1));
    jsonl(`huge prompt ${i}`, jsonlWith(JSON.stringify({ prompt: 'y'.repeat(size) }), 2));
  }
  const badValues: [string, string][] = [
    ['duration', '7'],
    ['duration', 'five'],
    ['duration', '5.5'],
    ['duration', '1e3'],
    ['duration', '-5'],
    ['aspect_ratio', '16:9'],
    ['aspect_ratio', 'square'],
    ['num_inference_steps', '1.5'],
    ['num_inference_steps', 'many'],
    ['model', 'no/such-model'],
    ['model', 'gpt-4'],
  ];
  for (const [column, value] of badValues) {
    csv(`invalid ${column}=${value}`, `prompt,${column}\nok,${value}\n`);
    jsonl(`invalid ${column}=${value}`, jsonlWith(JSON.stringify({ prompt: 'ok', [column]: value }), 1));
  }
  for (const [i, bytes] of [
    [0xff],
    [0xc3, 0x28],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0xed, 0xa0, 0x80],
    [0xc0, 0xaf],
    [0xe9],
  ].entries()) {
    csv(`bad UTF-8 ${i}`, Buffer.concat([b('prompt\ncaf'), Buffer.from(bytes), b('\nok\n')]));
    jsonl(`bad UTF-8 ${i}`, Buffer.concat([b('{"prompt":"caf'), Buffer.from(bytes), b('"}\n')]));
  }
  csv(
    'UTF-16 LE with BOM',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('prompt\na\n', 'utf16le')]),
  );
  csv('latin-1 file', Buffer.from('prompt\ncafé au lait\n', 'latin1'));
  csv('header ; rows ,', 'prompt;duration\na red fox,5\nwaves,10\n');
  csv('header , rows ;', 'prompt,duration\na red fox;5\nwaves;10\n');
  csv('header tab rows ,', 'prompt\tduration\na red fox,5\n');
  csv('mixed in one row', 'prompt,duration,custom_id\na;5,x\n');
  csv('rows with too many cells', csvWith('a,5,3:2,x,extra', 2));
  csv('rows with too few cells', csvWith('a,5', 0));
  csv('value under an empty header cell', 'prompt,,duration\na,b,5\n');
  csv('duplicate custom_id', csvWith('again,5,3:2,fox', 3));
  jsonl(
    'duplicate custom_id',
    jsonlWith('{"prompt":"a","custom_id":"k"}\n{"prompt":"b","custom_id":"k"}', 0),
  );
  csv('empty prompt', csvWith(',5,3:2,e', 1));
  csv('blank prompt', csvWith('"   ",5,3:2,e', 1));
  for (const [i, line] of [
    '{"prompt": "unterminated',
    '[1,2,3]',
    '"just a string"',
    '42',
    'null',
    '{"prompt": 5}',
    '{"prompt": null}',
    '{"Prompt": "wrong case"}',
    '{"prompt": "a", "Duration": 5}',
    '{"prompt": "a", "extra": 1}',
    '{"prompt": "a", "metadata": {"nested": {"x": 1}}}',
    '{"prompt": "a", "metadata": [1]}',
    '{"prompt": "a", "custom_id": {"x": 1}}',
    "{'prompt': 'single quotes'}",
    '{"prompt": "a"} trailing',
    '{"prompt": "a",}',
  ].entries()) {
    jsonl(`bad JSONL line ${i}`, jsonlWith(line, i % 4));
  }
  jsonl('a CSV sent as JSONL', `${HEADER}\n${GOOD.join('\n')}\n`);
  csv('JSONL sent as CSV', `${GOOD_JSON.join('\n')}\n`);
  csv('too many rows', `prompt\n${'a\n'.repeat(21)}`);
  jsonl('too many rows', '{"prompt":"a"}\n'.repeat(21));
  csv('too large', `prompt\n${'a red fox\n'.repeat(450)}`);
  jsonl('too large', '{"prompt":"a red fox in the snow"}\n'.repeat(130));
  return cases;
}

let t: TestApp;
let redis: Redis;

beforeAll(async () => {
  t = await makeApp({ MAX_UPLOAD_BYTES: '4000', MAX_BATCH_ROWS: '20', MAX_PROMPT_LENGTH: '200' });
  redis = testRedis();
});

afterAll(async () => {
  await t.close();
  await redis.quit();
});

describe('POST /v1/batches with a corpus of malformed files', () => {
  const cases = corpus();

  it('has at least 100 files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it('answers each with a 4xx and a message, never a 5xx, and enqueues nothing', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const [i, c] of cases.entries()) {
      const type = c.format === 'csv' ? 'text/csv' : 'application/x-ndjson';
      const res =
        i % 3 === 2
          ? await t.app.inject({
              method: 'POST',
              url: '/v1/batches',
              ...multipartBody({ filename: `f${i}.${c.format}`, type, content: c.content }),
            })
          : await postBatch(t.app, c.content, type);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const message = res.json<ErrorReply>().error?.message ?? '';
      if (res.statusCode < 400 || res.statusCode >= 500 || message.length < 10) {
        failures.push(`${c.name} (${c.format}): ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual([413, 422]);
    expect(await jobTotal(t.app)).toBe(0);
    const batchKeys = await redis.keys(`${t.config.QUEUE_PREFIX}:vidq:batch*`);
    expect(batchKeys).toEqual([]);
  });
});
