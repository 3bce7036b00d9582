import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { respCommand } from './resp-command.js';
import { startLocalRedis, type LocalRedis } from './start-local-redis.js';
import { freeClusterPort } from './free-port.js';

export type LocalCluster = {
  /** Seed nodes as `127.0.0.1:<port>`, every node of the cluster (REDIS_CLUSTER_NODES). */
  nodes: string[];
  /** The servers, masters first (in `redis-cli --cluster create` order), then replicas. */
  servers: LocalRedis[];
  /** SIGKILLs the node on `port` (no shutdown, no AOF flush: a crash) and waits for it to exit. */
  killNode(port: number): Promise<void>;
  /** Starts the node on `port` again with its folder and `nodes.conf`: it rejoins the cluster. */
  restartNode(port: number): Promise<void>;
  /** Stops every node (SIGTERM) and waits for each to exit. */
  stop(): Promise<void>;
};

export type LocalClusterOptions = {
  /** Parent folder: each node keeps its data and `nodes.conf` in `<dir>/<port>`. */
  dir: string;
  /** Masters (default 3, the fewest Redis Cluster accepts). */
  masters?: number;
  /** Replicas per master (default 0). */
  replicasPerMaster?: number;
  appendOnly?: boolean;
  /** `requirepass` (and `masterauth`) of every node; REDIS_PASSWORD of its clients. */
  password?: string;
  /** Longest wait for every node to report `cluster_state:ok` after the create (default 30 s). */
  readyTimeoutMs?: number;
  serverBin?: string;
  cliBin?: string;
};

/**
 * Starts a real Redis Cluster on loopback: `redis-server --cluster-enabled yes` per node on ports that
 * leave the cluster bus (port + 10000) free, `redis-cli --cluster create … --cluster-yes`, then polls
 * `CLUSTER INFO` on every node until each says `cluster_state:ok`. Tests and the chaos harness use it.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const servers: LocalRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const startNode = (port: number) =>
      startLocalRedis({
        dir: join(options.dir, String(port)),
        port,
        appendOnly: options.appendOnly ?? false,
        bin: options.serverBin,
        extraArgs: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          // Failover within seconds of a master going silent (the chaos run kills one).
          '--cluster-node-timeout',
          '2000',
          ...(options.password === undefined
            ? []
            : ['--requirepass', options.password, '--masterauth', options.password]),
        ],
      });
    for (let i = 0; i < masters * (1 + replicas); i += 1) {
      servers.push(await startNode(await freeClusterPort()));
    }
    const indexOf = (port: number) => {
      const i = servers.findIndex((s) => s.port === port);
      if (i < 0) throw new Error(`no node on port ${port}`);
      return i;
    };
    const killNode = async (port: number) => {
      const server = servers[indexOf(port)]!;
      if (server.process.exitCode !== null || server.process.signalCode !== null) return;
      const exited = once(server.process, 'exit');
      server.process.kill('SIGKILL');
      await exited;
    };
    const restartNode = async (port: number) => {
      servers[indexOf(port)] = await startNode(port);
    };
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
    // REDISCLI_AUTH rather than -a: the password stays off the process list.
    await run(options.cliBin ?? 'redis-cli', options.password, [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await waitForClusterOk(
      servers.map((s) => s.port),
      options.readyTimeoutMs ?? 30_000,
      { masters, replicas: masters * replicas },
      options.password,
    );
    return { nodes, servers, killNode, restartNode, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Polls `CLUSTER INFO` on each port until all say `cluster_state:ok` (and know every slot); with
 * `expect`, also until every node sees that many masters and replicas, and every replica's link to its
 * master is up (a replica reported by `--cluster create` may still be syncing).
 */
export async function waitForClusterOk(
  ports: readonly number[],
  timeoutMs: number,
  expect?: { masters: number; replicas: number },
  password?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const views = await Promise.all(ports.map((port) => nodeView(port, password).catch(String)));
    const ok = (view: string) =>
      view.includes('cluster_state:ok') &&
      view.includes('cluster_slots_ok:16384') &&
      (expect === undefined ||
        (count(view, /^\S+ \S+ (myself,)?master\b/gm) === expect.masters &&
          count(view, /^\S+ \S+ (myself,)?slave\b/gm) === expect.replicas &&
          (view.includes('role:master') || view.includes('master_link_status:up'))));
    if (views.every(ok)) return;
    last = views.find((view) => !ok(view)) ?? '';
    if (Date.now() > deadline) {
      throw new Error(`the cluster did not reach cluster_state:ok in ${timeoutMs} ms:\n${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One node's CLUSTER INFO, CLUSTER NODES and INFO replication, as text. */
async function nodeView(port: number, password: string | undefined): Promise<string> {
  const info = await respCommand(port, ['CLUSTER', 'INFO'], { password });
  const nodes = await respCommand(port, ['CLUSTER', 'NODES'], { password });
  const replication = await respCommand(port, ['INFO', 'replication'], { password });
  return `${info}\n${nodes}\n${replication}`;
}

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

async function run(bin: string, password: string | undefined, args: string[]): Promise<void> {
  const env = password === undefined ? process.env : { ...process.env, REDISCLI_AUTH: password };
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await Promise.race([
    once(child, 'exit'),
    once(child, 'error').then(([err]) => {
      throw new Error(`'${bin}' could not be run (apt-get install redis-tools): ${String(err)}`);
    }),
  ])) as [number | null];
  if (code !== 0) throw new Error(`${bin} ${args.join(' ')} exited with ${code}:\n${output.slice(-2000)}`);
}
