import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@vidqueue/redis-server';
import { PROJECT_ROOT } from '../src/paths.js';

type Line = Record<string, unknown> & { msg?: string };

/** `pnpm start` as a user runs it: a real child process with nothing configured but timings and ports. */
describe('pnpm start (apps/stack) as a child process', () => {
  let child: ChildProcess;
  let dir: string;
  let api: string;
  const lines: Line[] = [];
  let output = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vidq-stack-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      VIDQ_DATA_DIR: dir,
      SIM_PORT: '0',
      SIM_GENERATION_MS: '300-600',
      STATUS_FIRST_CHECK_MS: '200',
      STATUS_INTERVAL_MS: '200',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'apps/stack/src/main.ts'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        for (const raw of chunk.toString().split('\n')) {
          if (!raw.trim()) continue;
          try {
            const line = JSON.parse(raw) as Line;
            lines.push(line);
            if (typeof line.msg === 'string' && line.msg.startsWith('vidqueue is up')) resolve();
          } catch {
            /* not a log line */
          }
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`stack exited early (${code}):\n${output}`)));
    });
    await ready;
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('says loudly that it runs the simulator, and keeps Redis data and the dashboard password in the data folder', () => {
    const warning = lines.find((l) => typeof l.msg === 'string' && l.msg.includes('SIMULATOR MODE'));
    expect(warning?.level).toBe(40);
    expect(existsSync(join(dir, 'redis'))).toBe(true);
    const password = readFileSync(join(dir, 'dashboard-password'), 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(output).not.toContain(password);
    const secret = readFileSync(join(dir, 'webhook-secret'), 'utf8').trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(statSync(join(dir, 'webhook-secret')).mode & 0o777).toBe(0o600);
    expect(output).not.toContain(secret.slice(6));
    expect(lines.find((l) => l.msg?.startsWith('webhook signing secret generated'))?.secretFile).toBe(
      join(dir, 'webhook-secret'),
    );
  });

  it('turns one prompt into a video URL that serves an MP4', async () => {
    const created = await fetch(`${api}/v1/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a red fox in snow' }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };

    const seen = new Set<string>();
    let video: { status: string; video_url: string | null } | undefined;
    await expect
      .poll(
        async () => {
          const res = await fetch(`${api}/v1/videos/${id}`);
          video = (await res.json()) as { status: string; video_url: string | null };
          seen.add(video.status);
          return video.status;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe('completed');
    expect(seen.has('generating')).toBe(true);

    // Archived into the data folder: video_url becomes ours, served by the API.
    let archived: { video_url: string; archive: { status: string; sha256: string } | null } | undefined;
    await expect
      .poll(
        async () => {
          archived = (await (await fetch(`${api}/v1/videos/${id}`)).json()) as typeof archived;
          return archived?.archive?.status;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe('archived');
    expect(archived!.video_url).toBe(`${api}/v1/videos/${id}/content`);
    expect(existsSync(join(dir, 'videos', 'videos', `${id}.mp4`))).toBe(true);

    const mp4 = await fetch(archived!.video_url);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toContain('video/mp4');
    const bytes = Buffer.from(await mp4.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  it('asks for dashboard credentials', async () => {
    const res = await fetch(`${api}/admin/queues`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('shuts down cleanly on SIGTERM, stopping its redis-server', async () => {
    const redisLine = lines.find((l) => l.msg === 'started a private redis-server (REDIS_URL unset)');
    const redisPort = Number(new URL(String(redisLine?.url)).port);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    const probe = await fetch(`http://127.0.0.1:${redisPort}`).catch(
      (err: Error & { cause?: { code?: string } }) => String(err.cause?.code),
    );
    expect(probe).toBe('ECONNREFUSED');
  });
});

describe('pnpm start with an unknown DEFAULT_MODEL', () => {
  it('refuses to start, naming the variable, before starting anything (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vidq-stack-model-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/stack/src/main.ts'], {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          VIDQ_DATA_DIR: dir,
          DEFAULT_MODEL: 'acme/nope',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(output).toContain('DEFAULT_MODEL: unknown model "acme/nope"');
      // Nothing was started: no Redis data, no generated password.
      expect(existsSync(join(dir, 'redis'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
