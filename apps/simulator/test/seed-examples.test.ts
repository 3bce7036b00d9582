import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The provider's own examples (the model page, `seed-aimlapi-kandinsky5-distill-t2v.txt`) run against
 * the simulator, changed only in their base URL. Both poll every 10 s, so each run takes about 10 s;
 * they run side by side. The simulator itself runs as `pnpm simulator` would: src/main.ts in a child.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/** A copy of the model page, so the test runs on a fresh clone; checked against the shared original when present. */
const SEED = fileURLToPath(new URL('./fixtures/seed-aimlapi-kandinsky5-distill-t2v.txt', import.meta.url));
const SHARED_SEED = join(ROOT, '../shared/reference/seed-aimlapi-kandinsky5-distill-t2v.txt');
const PROVIDER = 'https://api.aimlapi.com';

/** The lines from the one starting with `first` to the next one equal to `last`, both included. */
function block(lines: string[], first: string, last: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(first));
  const end = lines.findIndex((l, i) => i > start && l === last);
  if (start < 0 || end < 0) throw new Error(`cannot find the example starting with ${first}`);
  return lines.slice(start, end + 1);
}

function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(`expected exactly one "${from}" in the example, found ${parts.length - 1}`);
  return parts.join(to);
}

/**
 * The page lost the Python example's leading whitespace. This restores it, one indentation level
 * (4 spaces) per line, and nothing else: the test checks that every line is the seed's line unchanged.
 */
const PYTHON_INDENT = [
  0, 0, 0, 0, 0, 0, 1, 1, 2, 1, 1, 2, 2, 2, 1, 1, 1, 2, 1, 2, 2, 2, 0, 0, 1, 1, 2, 1, 1, 2, 2, 1, 1, 1, 0, 1,
  1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 3, 3, 3, 4, 4, 3, 4, 4, 2, 2, 0, 1,
];

const PYTHON_REQUESTS_SHIM = `"""The part of \`requests\` the seed example uses, on urllib: only for machines without requests."""
import json as _json
import urllib.error
import urllib.parse
import urllib.request


class Response:
    def __init__(self, status_code, text):
        self.status_code = status_code
        self.text = text

    def json(self):
        return _json.loads(self.text)


def _send(request):
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return Response(answer.status, answer.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode("utf-8"))


def post(url, json=None, headers=None):
    merged = {"Content-Type": "application/json", **(headers or {})}
    return _send(urllib.request.Request(url, data=_json.dumps(json).encode("utf-8"), headers=merged, method="POST"))


def get(url, params=None, headers=None):
    if params:
        url = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    return _send(urllib.request.Request(url, headers=headers or {}, method="GET"))
`;

type Run = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        timeout: 40_000,
        env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const hasRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

describe.concurrent('the seed examples against the simulator (src/main.ts as a child process)', () => {
  const seed = readFileSync(SEED, 'utf8').split(/\r?\n/);
  const dir = mkdtempSync(join(tmpdir(), 'vidq-sim-seed-'));
  let child: ChildProcess | undefined;
  let url = '';
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: { ...process.env, SIM_PORT: '0', SIM_GENERATION_MS: '300', SIM_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
    });
    url = await vi.waitFor(
      () => {
        if (child?.exitCode !== null) throw new Error('the simulator exited');
        const line = logs.find((l) => typeof l.url === 'string');
        if (!line) throw new Error('the simulator has not said where it listens yet');
        return String(line.url);
      },
      { timeout: 20_000, interval: 50 },
    );
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(logs.some((l) => l.msg === 'simulator: shutting down')).toBe(true);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** At least one pending status, then completed (how many of each depends on machine load). */
  function expectPendingThenCompleted(stdout: string): void {
    const statuses = [...stdout.matchAll(/^Status: (\S+)$/gm)].map((m) => m[1]);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses.at(-1)).toBe('completed');
    for (const s of statuses.slice(0, -1)) expect(['queued', 'generating']).toContain(s);
  }

  async function expectVideo(text: string, pattern: RegExp): Promise<void> {
    const videoUrl = pattern.exec(text)?.[1];
    expect(videoUrl, text).toMatch(new RegExp(`^${url}/files/[A-Za-z0-9_-]{21}_output\\.mp4$`));
    const bytes = Buffer.from(await (await fetch(videoUrl!)).arrayBuffer());
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
  }

  it('uses the model page as it is in the shared reference', () => {
    const copy = readFileSync(SEED, 'utf8');
    expect(copy).toContain(PROVIDER);
    if (existsSync(SHARED_SEED)) expect(copy).toBe(readFileSync(SHARED_SEED, 'utf8'));
  });

  it('runs the Node example unchanged but for the base URL (and https → http)', async () => {
    let code = block(seed, '// Insert your AIML API Key', 'main();').join('\n');
    code = replaceOnce(code, PROVIDER, url);
    code = replaceOnce(code, 'require("https")', 'require("http")');
    const file = join(dir, 'example.cjs');
    writeFileSync(file, code);
    const result = await run(process.execPath, [file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Generation ID: [0-9a-f-]{36}:sber-ai\/kandinsky5-distill-t2v$/m);
    expectPendingThenCompleted(result.stdout);
    expect(result.stdout).toContain('Processing complete:');
    expect(result.stdout).toContain("status: 'completed'");
    await expectVideo(result.stdout, /url: '([^']+)'/);
  });

  const pythonExample = () => {
    const lines = block(seed, 'import requests', 'main()');
    expect(lines).toHaveLength(PYTHON_INDENT.length);
    const code = lines.map((line, i) => ' '.repeat(4 * PYTHON_INDENT[i]!) + line).join('\n');
    // Only leading whitespace was added:
    expect(code.split('\n').map((l) => l.trimStart())).toEqual(lines.map((l) => l.trimStart()));
    return code.split(PROVIDER).join(url);
  };

  async function runPython(shim: boolean): Promise<void> {
    const code = pythonExample();
    expect(code.split(url)).toHaveLength(3);
    const sub = mkdtempSync(join(dir, 'py-'));
    const file = join(sub, 'example.py');
    writeFileSync(file, code);
    const env: NodeJS.ProcessEnv = { PYTHONDONTWRITEBYTECODE: '1' };
    if (shim) {
      writeFileSync(join(sub, 'requests.py'), PYTHON_REQUESTS_SHIM);
      env.PYTHONPATH = sub;
    }
    const result = await run('python3', [file], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Generation ID: {2}[0-9a-f-]{36}:sber-ai\/kandinsky5-distill-t2v$/m);
    expectPendingThenCompleted(result.stdout);
    expect(result.stdout).toContain('Processing complete:');
    expect(result.stdout).toContain("'status': 'completed'");
    await expectVideo(result.stdout, /'url': '([^']+)'/);
  }

  it(`runs the Python example unchanged but for the base URL (${hasRequests ? 'with requests' : 'requests is not installed: urllib shim'})`, async () => {
    await runPython(!hasRequests);
  });

  it('runs the Python example with a urllib stand-in for requests (what machines without requests use)', async () => {
    await runPython(true);
  });
});
