/**
 * Every Lua script vidqueue runs on Redis, in one place: each in its own `lua/<name>.lua` file whose
 * header states its KEYS/ARGV contract, all run the same way (EVALSHA, then EVAL once after a
 * NOSCRIPT reply) by the API, the worker and the SDK bundle.
 *
 * The sources are read from `./lua/` beside this module (`import.meta.url`). The production bundles
 * (`scripts/build.mjs`, `packages/client/build.mjs`) copy that folder next to their output, so the same
 * URL resolves there.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The two commands a script needs; any ioredis connection (or Cluster) has them. */
export type ScriptConnection = {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
};

export type RedisScript = {
  readonly name: ScriptName;
  /** How many of the arguments are keys (checked on every call). */
  readonly numberOfKeys: number;
  run(redis: ScriptConnection, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
};

/** File name (without `.lua`) → number of KEYS. */
const SCRIPTS = {
  'batch-create': 3,
  'batch-set-row': 6,
  'batch-retry-rows': 6,
  'batch-cancel-rows': 6,
  'batch-scan-rows': 2,
  'batch-mark-enqueued': 6,
  'job-update-if-locked': 2,
  'job-update-and-log': 2,
  'job-run-flags': 6,
  'durations-record': 1,
  'in-flight-reserve': 1,
  'backoff-extend': 1,
  'logs-seen-add': 1,
  'logs-pass-done': 1,
  'spend-reserve': 3,
  'spend-settle': 3,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Every script's name, for tests that load them all. */
export const SCRIPT_NAMES = Object.keys(SCRIPTS) as ScriptName[];

/** The source of one script, read from `lua/<name>.lua`. */
export function scriptSource(name: ScriptName): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}

function defineScript(name: ScriptName): RedisScript {
  const numberOfKeys = SCRIPTS[name];
  // Read on first use: a process that never runs a script never touches the file.
  let loaded: { source: string; sha: string } | undefined;
  const load = () => {
    if (!loaded) {
      const source = scriptSource(name);
      loaded = { source, sha: createHash('sha1').update(source).digest('hex') };
    }
    return loaded;
  };
  return {
    name,
    numberOfKeys,
    async run(redis, keys, args) {
      if (keys.length !== numberOfKeys) {
        throw new TypeError(`script ${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      }
      const { source, sha } = load();
      try {
        return await redis.evalsha(sha, numberOfKeys, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(source, numberOfKeys, ...keys, ...args);
      }
    },
  };
}

/** The scripts, by name: `scripts['batch-set-row'].run(redis, keys, args)`. */
export const scripts: Readonly<Record<ScriptName, RedisScript>> = Object.freeze(
  Object.fromEntries(SCRIPT_NAMES.map((name) => [name, defineScript(name)])) as Record<
    ScriptName,
    RedisScript
  >,
);
