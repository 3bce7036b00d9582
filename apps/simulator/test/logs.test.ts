import { afterEach, describe, expect, it } from 'vitest';
import { KEY, MODEL, anyString, startTestSimulator, type TestSimulator } from './helpers.js';

type Row = {
  created: string;
  status: string;
  model: string;
  cost: { usd: number; credits: number };
  inference_id: string;
  client_request_id: string | null;
};
type Page = { data: Row[]; pagination: { limit: number; offset: number; total: number; has_more: boolean } };

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /v2/logs', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const page = async (query = 'period=24h', key = KEY): Promise<Page> => {
    const answer = await t!.logs(query, key);
    expect(answer.status, `${query}: ${JSON.stringify(answer.body)}`).toBe(200);
    return answer.body as unknown as Page;
  };

  const badQuery = async (query: string): Promise<unknown> => {
    const answer = await t!.logs(query);
    expect(answer.status, query).toBe(400);
    expect(answer.body).toMatchObject({ message: 'Query validation error!', statusCode: 400 });
    return answer.body.errors;
  };

  it('needs a key', async () => {
    t = await startTestSimulator();
    expect((await t.request('/v2/logs?period=24h')).status).toBe(401);
  });

  it('one row per create request, newest first: generations by their id, refusals failed at zero cost', async () => {
    t = await startTestSimulator({ generationMs: 200 });
    const ok = await t.create({ model: MODEL, prompt: 'fine' }, { 'x-client-request-id': 'job-1.try:1' });
    const id = String(ok.body.id);
    await t.create({ model: MODEL, prompt: 'bad', seed: 1 }, { 'x-client-request-id': 'has space' });
    t.sim.configure({ createFaults: { rate_limit: 1 } });
    await t.create({ model: 'veo2', prompt: 'busy' });
    t.sim.configure({ createFaults: { rate_limit: 0 } });

    const first = await page();
    expect(first.pagination).toEqual({ limit: 50, offset: 0, total: 3, has_more: false });
    expect(first.data.map((r) => [r.model, r.status])).toEqual([
      ['veo2', 'failed'],
      [MODEL, 'failed'],
      [MODEL, 'succeeded'],
    ]);
    const row = first.data[2]!;
    expect(row).toEqual({
      created: anyString,
      status: 'succeeded',
      origin: 'api',
      model: MODEL,
      cost: { usd: 0, credits: 0 },
      tokens: { input: 0, output: 0, total: 0 },
      request_id: anyString,
      inference_id: id,
      client_request_id: 'job-1.try:1',
    });
    expect(first.data[1]!.client_request_id).toBeNull();
    expect(first.data.slice(0, 2).every((r) => r.cost.usd === 0 && r.cost.credits === 0)).toBe(true);
    // The cost is filled in once the generation completes.
    await expect
      .poll(async () => (await page()).data[2]!.cost, { interval: 25, timeout: 10_000 })
      .toEqual({ usd: 0.1, credits: 200_000 });
  });

  it('a renamed model (renamedModels): listed under its new id with the old one as an alias, rows carry the new id, creates take either', async () => {
    const NEW = 'sber-ai/kandinsky-5-video-lite-distill';
    t = await startTestSimulator({ generationMs: 200, renamedModels: { [MODEL]: NEW } });
    const listed = (await t.request('/v1/models')).body.data as { id: string; aliases: string[] }[];
    expect(listed.find((m) => m.id === NEW)?.aliases).toEqual([MODEL, 'kandinsky5-distill-t2v']);
    expect(listed.some((m) => m.id === MODEL)).toBe(false);
    expect((await t.request(`/model/${MODEL}`)).body).toMatchObject({ data: { id: NEW } });
    expect((await t.create({ model: MODEL, prompt: 'old name' })).status).toBe(200);
    expect((await t.create({ model: NEW, prompt: 'new name' })).status).toBe(200);
    const rows = (await page()).data;
    expect(rows.map((r) => [r.model, r.status])).toEqual([
      [NEW, 'succeeded'],
      [NEW, 'succeeded'],
    ]);
    // The old name filters nothing now: a lookup must ask for every name of the model.
    expect((await page(`period=24h&model=${encodeURIComponent(MODEL)}`)).data).toEqual([]);
    expect(
      (await page(`period=24h&model=${encodeURIComponent(MODEL)}&model=${encodeURIComponent(NEW)}`)).data,
    ).toHaveLength(2);
  });

  it('window: period, or start and end (no offset is UTC, at most 92 days, end not before start), never both', async () => {
    t = await startTestSimulator();
    await t.createId('a');
    const now = Date.now();
    expect((await page('period=1h')).pagination.total).toBe(1);
    expect((await page('period=7d')).pagination.total).toBe(1);
    const noOffset = (ms: number) => iso(ms).replace('Z', '');
    expect((await page(`start=${noOffset(now - DAY)}&end=${noOffset(now + 60_000)}`)).pagination.total).toBe(
      1,
    );
    expect((await page(`start=${iso(now - 92 * DAY)}&end=${iso(now)}`)).pagination.total).toBe(1);
    expect(
      (
        await page(
          `start=${iso(now - 91 * DAY)}&end=${encodeURIComponent(iso(now + 60_000).replace('Z', '+00:00'))}`,
        )
      ).pagination.total,
    ).toBe(1);
    // a window in the past holds nothing
    expect((await page(`start=${iso(now - 3 * DAY)}&end=${iso(now - 2 * DAY)}`)).pagination.total).toBe(0);

    expect(await badQuery(`period=24h&start=${iso(now - DAY)}&end=${iso(now)}`)).toMatchObject([
      { path: ['period'], message: 'Provide either period or both start and end, never both' },
    ]);
    await badQuery('');
    await badQuery(`start=${iso(now - DAY)}`);
    for (const period of ['0h', '24m', 'h', '1.5d', '-1d']) await badQuery(`period=${period}`);
    expect(await badQuery(`start=${iso(now)}&end=${iso(now - 1000)}`)).toMatchObject([
      { path: ['end'], message: 'end must not be earlier than start' },
    ]);
    expect(await badQuery(`start=${iso(now - 93 * DAY)}&end=${iso(now)}`)).toMatchObject([
      { path: ['end'], message: 'the window must not exceed 92 days' },
    ]);
    await badQuery(`start=yesterday&end=${iso(now)}`);
  });

  it('filters: model (exact id or bare alias, repeated; a comma matches nothing; up to 50), status (repeated)', async () => {
    t = await startTestSimulator({ generationMs: 0, faults: { fail: 0 } });
    await t.createId('k1');
    await t.create({ model: 'veo2', prompt: 'v' });
    t.sim.configure({ createFaults: { fail: 1 } });
    await t.create({ model: 'openai/sora-2-t2v', prompt: 's' });
    t.sim.configure({ createFaults: { fail: 0 } });

    const models = async (q: string) => (await page(`period=24h&${q}`)).data.map((r) => r.model);
    expect(await models(`model=${MODEL}`)).toEqual([MODEL]);
    expect(await models('model=kandinsky5-distill-t2v')).toEqual([MODEL]);
    expect(await models('model=sora-2-t2v&model=veo2')).toEqual(['openai/sora-2-t2v', 'veo2']);
    expect(await models('model=veo2,openai/sora-2-t2v')).toEqual([]);
    await badQuery(`period=24h&${Array.from({ length: 51 }, (_, i) => `model=m${i}`).join('&')}`);
    expect(await models(Array.from({ length: 50 }, () => 'model=veo2').join('&'))).toEqual(['veo2']);

    expect(await models('status=failed')).toEqual(['openai/sora-2-t2v']);
    expect(await models('status=succeeded')).toEqual(['veo2', MODEL]);
    expect(await models('status=succeeded&status=failed')).toHaveLength(3);
    expect(await badQuery('period=24h&status=succeeded,failed')).toMatchObject([
      { code: 'invalid_enum_value', path: ['status'] },
    ]);
  });

  it('paging: limit 1-100 (default 50), offset, total and has_more', async () => {
    t = await startTestSimulator({ generationMs: 60_000 });
    for (let i = 0; i < 5; i += 1) await t.createId(`p${i}`);
    const all = await page();
    const second = await page('period=24h&limit=2&offset=2');
    expect(second.pagination).toEqual({ limit: 2, offset: 2, total: 5, has_more: true });
    expect(second.data.map((r) => r.inference_id)).toEqual(all.data.slice(2, 4).map((r) => r.inference_id));
    const last = await page('period=24h&limit=2&offset=4');
    expect(last.pagination).toEqual({ limit: 2, offset: 4, total: 5, has_more: false });
    expect((await page('period=24h&offset=10')).data).toEqual([]);
    for (const q of ['limit=0', 'limit=101', 'limit=ten', 'offset=-1', 'limit=1&limit=2']) {
      await badQuery(`period=24h&${q}`);
    }
    expect(Date.parse(all.data[0]!.created)).toBeGreaterThanOrEqual(Date.parse(all.data[4]!.created));
  });

  it('rows belong to the key that made the request; key_prefix of another key needs a management key', async () => {
    t = await startTestSimulator();
    await t.createId('mine');
    expect((await page('period=24h', 'sk-another-key')).pagination.total).toBe(0);
    expect((await page(`period=24h&key_prefix=${KEY.slice(0, 8)}`)).pagination.total).toBe(1);
    const other = await t.logs('period=24h&key_prefix=sk-other');
    expect(other.status).toBe(403);
  });

  it('429 above 200 requests per 60 s, per key, with Retry-After', async () => {
    t = await startTestSimulator({ errorStyle: 'plain' });
    for (let i = 0; i < 200; i += 1) expect((await t.logs()).status).toBe(200);
    const limited = await t.logs();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await t.logs('period=24h', 'sk-second-key')).status).toBe(200);
  });

  it('logsDelayMs: a row shows only that long after its request', async () => {
    t = await startTestSimulator({ logsDelayMs: 400 });
    const id = await t.createId('later');
    expect((await page()).data).toEqual([]);
    await expect
      .poll(async () => (await page()).data.map((r) => r.inference_id), { interval: 25, timeout: 10_000 })
      .toEqual([id]);
  });

  it("logsRowAt 'completed': a generation's row shows once it finished, with its cost", async () => {
    t = await startTestSimulator({ logsRowAt: 'completed', generationMs: 300 });
    const id = await t.createId('when done');
    expect((await page()).data).toEqual([]);
    expect((await t.check(id)).body.status).not.toBe('completed');
    await expect.poll(async () => (await page()).pagination.total, { interval: 25, timeout: 10_000 }).toBe(1);
    expect((await page()).data[0]).toMatchObject({ inference_id: id, cost: { usd: 0.1, credits: 200_000 } });
  });
});
