import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildSimulator, type BuildSimulatorOptions } from './app.js';
import type { SimulatorOptions, SimulatorSettings } from './config.js';
import type { ResetOptions } from './state.js';
import type { SimStats } from './stats.js';

export type StartSimulatorOptions = BuildSimulatorOptions & {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
};

export type RunningSimulator = {
  /** Base URL to give a client as its AI/ML API base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  port: number;
  stats(): SimStats;
  /** Clears the counters (and with `{ generations: true }` every generation). */
  reset(options?: ResetOptions): void;
  /** Changes settings (fault rates, timing...) at run time. */
  configure(options: SimulatorOptions): SimulatorSettings;
  close(): Promise<void>;
  app: FastifyInstance;
};

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds the simulator and listens (127.0.0.1 and a free port unless told otherwise). */
export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const { host = '127.0.0.1', port = 0, ...rest } = options;
  const app = buildSimulator(rest);
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${urlHost(host)}:${address.port}`,
    port: address.port,
    stats: () => app.simulator.stats(),
    reset: (resetOptions) => app.simulator.reset(resetOptions),
    configure: (settings) => app.simulator.configure(settings),
    close: () => app.close(),
    app,
  };
}
