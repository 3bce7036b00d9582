import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vidq-chaos-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm chaos --quick', () => {
  it('loses nothing and pays twice for nothing through worker SIGKILLs and a Redis restart', async () => {
    const json = join(dir, 'quick.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--quick',
        '--prompts',
        '200',
        '--kills',
        '3',
        '--redis-restarts',
        '1',
        '--json',
        json,
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, out).toBe(0);
    expect(out).toMatch(/lost \(must be 0\)\s+0/);

    const r = JSON.parse(readFileSync(json, 'utf8')) as ChaosReport;
    expect(r).toMatchObject({
      ok: true,
      prompts: 200,
      accepted: 200,
      lost: 0,
      secrets_found: [],
      prompt_log_lines: 0,
    });
    expect(r.completed + r.failed).toBe(200);
    expect(Object.values(r.failed_by_reason).reduce((a, b) => a + b, 0)).toBe(r.failed);
    // The default policy reconciles unknown outcomes with the usage logs: no second create at all.
    expect(r.scenario.policy).toBe('reconcile');
    expect(r.duplicate_creates).toMatchObject({ total: 0, flagged: 0, unflagged: 0 });
    expect(r.chaos).toEqual({ worker_kills: 3, redis_restarts: 1 });
    // Faults really happened, and every prompt reached the provider at most once per generation.
    expect(
      (r.provider_calls.faults.server_error ?? 0) + (r.provider_calls.faults.rate_limit ?? 0),
    ).toBeGreaterThan(0);
    expect(r.provider_calls.create_requests).toBeGreaterThanOrEqual(r.provider_calls.creates);
    expect(r.provider_calls.creates).toBe(200 - (r.failed_by_reason.retries_exhausted ?? 0));
    // Lost answers (drops, 502s after the create, kills) were settled from the usage logs.
    expect(r.reconciled.unknown_outcomes).toBeGreaterThan(0);
    expect(r.reconciled.recovered + r.reconciled.not_created).toBeGreaterThanOrEqual(
      r.reconciled.unknown_outcomes,
    );
    expect(r.provider_calls.logs_requests).toBeGreaterThan(0);
    // Every failure is one the injected chaos explains, with its message: generations the simulator
    // failed (never more than it failed), or a run of 5xx/429. Never submission_unknown.
    const explained = ['generation_failed', 'retries_exhausted'];
    for (const reason of Object.keys(r.failed_by_reason)) expect(explained).toContain(reason);
    expect(r.failed_by_reason.generation_failed ?? 0).toBeLessThanOrEqual(r.provider_calls.faults.fail ?? 0);
    for (const [reason, examples] of Object.entries(r.failure_examples)) {
      expect(examples.length, reason).toBeGreaterThan(0);
      for (const message of examples) expect(message.length, reason).toBeGreaterThan(0);
    }
    expect(r.completed).toBeGreaterThan(0);
  }, 120_000);
});
