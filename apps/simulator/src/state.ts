import { resolveSettings, type SimulatorOptions, type SimulatorSettings } from './config.js';
import { FaultDice } from './faults.js';
import { GenerationStore } from './generations.js';
import { createRandom, type Random } from './random.js';
import { loadSampleVideo, type SampleVideo } from './sample-video.js';
import { StatsCollector, type SimStats } from './stats.js';

export type ResetOptions = {
  /** Also forget every generation (their ids then answer 404). Default: counters only. */
  generations?: boolean;
};

/** What tests and benchmarks can do with a running simulator besides HTTP. */
export type SimulatorControl = {
  stats(): SimStats;
  reset(options?: ResetOptions): void;
  /** Changes settings at run time (fault rates, timing...); answers the resolved settings. */
  configure(options: SimulatorOptions): SimulatorSettings;
  settings(): SimulatorSettings;
};

/** Everything the routes share: live settings, the generation store, counters and dice. */
export class SimulatorState implements SimulatorControl {
  #settings: SimulatorSettings;
  readonly store: GenerationStore;
  readonly counters = new StatsCollector();
  readonly video: SampleVideo;
  /** Aborted when the server starts closing: ends `slow` waits at once. */
  readonly closing = new AbortController();
  random: Random;
  dice: FaultDice;

  constructor(options: SimulatorOptions, video: SampleVideo = loadSampleVideo()) {
    this.#settings = resolveSettings(options);
    this.store = new GenerationStore(this.#settings.maxGenerations);
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

  reset(options: ResetOptions = {}): void {
    this.counters.reset();
    if (options.generations) this.store.clear();
  }

  configure(options: SimulatorOptions): SimulatorSettings {
    this.#settings = resolveSettings(options, this.#settings);
    this.store.setMax(this.#settings.maxGenerations);
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
