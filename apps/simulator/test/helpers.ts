import { expect } from 'vitest';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '../src/index.js';

export const MODEL = 'sber-ai/kandinsky5-distill-t2v';
export const KEY = 'sk-test-0123456789abcdef';

export type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

/** A simulator on a free loopback port plus small HTTP helpers; `close()` in afterEach. */
export async function startTestSimulator(options: StartSimulatorOptions = {}): Promise<TestSimulator> {
  return new TestSimulator(await startSimulator({ generationMs: 200, ...options }));
}

export class TestSimulator {
  constructor(readonly sim: RunningSimulator) {}

  get url(): string {
    return this.sim.url;
  }

  async request(path: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(`${this.sim.url}${path}`, init);
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  create(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('/v2/video/generations', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  check(id: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request(`/v2/video/generations?generation_id=${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${KEY}`, ...headers },
    });
  }

  /** `GET /v2/logs?<query>` with a key (default: the test key). */
  logs(query = 'period=24h', key = KEY): Promise<Answer> {
    return this.request(`/v2/logs?${query}`, { headers: { authorization: `Bearer ${key}` } });
  }

  /** The balance `GET /v2/billing` answers, in USD. */
  async balance(): Promise<number> {
    const answer = await this.request('/v2/billing', { headers: { authorization: `Bearer ${KEY}` } });
    return answer.body.current_balance as number;
  }

  /** Creates a generation and answers its id. */
  async createId(prompt = 'a red fox in the snow', extra: Record<string, unknown> = {}): Promise<string> {
    const answer = await this.create({ model: MODEL, prompt, ...extra });
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`create answered ${answer.status}`);
    return String(answer.body.id ?? answer.body.generation_id);
  }

  close(): Promise<void> {
    return this.sim.close();
  }
}

/** Asymmetric matchers typed as unknown (vitest types them as any, which the lint rules refuse). */
export const anyString: unknown = expect.any(String);
export const anyNumber: unknown = expect.any(Number);
export const matching = (re: RegExp): unknown => expect.stringMatching(re);
