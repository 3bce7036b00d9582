import { resolveSettings, type SimulatorOptions, type SimulatorSettings } from './config.js';
import { FaultDice } from './faults.js';
import { GenerationStore } from './generations.js';
import { Ledger } from './ledger.js';
import { createRandom, type Random } from './random.js';
import { SlidingWindow } from './rate-window.js';
import { loadSampleVideo, type SampleVideo } from './sample-video.js';
import { StatsCollector, type SimStats } from './stats.js';
import { UsageLogs } from './usage-logs.js';

export type ResetOptions = {
  /**
   * Also forget every generation (their ids then answer 404), the usage logs, and the spending: the
   * balance starts again from `balanceUsd`. Default: counters only.
   */
  generations?: boolean;
};

/** What tests and benchmarks can do with a running simulator besides HTTP. */
export type SimulatorControl = {
  stats(): SimStats;
  reset(options?: ResetOptions): void;
  /** Changes settings at run time (fault rates, timing...); answers the resolved settings. */
  configure(options: SimulatorOptions): SimulatorSettings;
  settings(): SimulatorSettings;
  /** The account balance in USD now (what `GET /v2/billing` answers). */
  balance(): number;
};

/** The documented limit of `GET /v2/logs`: 200 requests per 60 s per key. */
export const LOGS_RATE_LIMIT = { limit: 200, windowMs: 60_000 } as const;

/** Everything the routes share: live settings, the generation store, logs, balance, counters and dice. */
export class SimulatorState implements SimulatorControl {
  #settings: SimulatorSettings;
  readonly store: GenerationStore;
  readonly logs: UsageLogs;
  readonly ledger: Ledger;
  readonly logsLimiter = new SlidingWindow(LOGS_RATE_LIMIT.limit, LOGS_RATE_LIMIT.windowMs);
  readonly counters = new StatsCollector();
  readonly video: SampleVideo;
  /** Aborted when the server starts closing: ends `slow` waits at once. */
  readonly closing = new AbortController();
  random: Random;
  dice: FaultDice;

  constructor(options: SimulatorOptions, video: SampleVideo = loadSampleVideo()) {
    this.#settings = resolveSettings(options);
    this.store = new GenerationStore(this.#settings.maxGenerations);
    this.logs = new UsageLogs(this.#settings.maxGenerations);
    this.ledger = new Ledger(this.#settings.balanceUsd);
    this.video = video;
    this.random = createRandom(this.#settings.seed);
    this.dice = new FaultDice(this.random);
  }

  get current(): SimulatorSettings {
    return this.#settings;
  }

  stats(): SimStats {
    return this.counters.snapshot(this.store.inFlight());
  }

  balance(): number {
    return this.ledger.balance();
  }

  reset(options: ResetOptions = {}): void {
    this.counters.reset();
    if (options.generations) {
      this.store.clear();
      this.logs.clear();
      this.logsLimiter.clear();
      this.ledger.reset(this.#settings.balanceUsd);
    }
  }

  configure(options: SimulatorOptions): SimulatorSettings {
    this.#settings = resolveSettings(options, this.#settings);
    this.store.setMax(this.#settings.maxGenerations);
    this.logs.setMax(this.#settings.maxGenerations);
    if (options.balanceUsd !== undefined) this.ledger.set(options.balanceUsd);
    if (options.seed !== undefined) {
      this.random = createRandom(options.seed);
      this.dice = new FaultDice(this.random);
    }
    return this.settings();
  }

  settings(): SimulatorSettings {
    return structuredClone(this.#settings);
  }
}
