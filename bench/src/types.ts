/** One printed line of a scenario: a figure, its reference from the same run, and the target. */
export type Row = {
  metric: string;
  value: string;
  reference?: string;
  target?: string;
  /** true: target met; false: missed; undefined: no target. */
  ok?: boolean;
};

export type ScenarioResult = {
  name: string;
  title: string;
  /** Parameters actually used (sizes, time scale...). */
  params: Record<string, number | string | boolean>;
  rows: Row[];
  /** Raw figures for latest.json. */
  figures: Record<string, number | string | boolean | null>;
  notes: string[];
};

export type BenchOptions = {
  quick: boolean;
  /** Multiplies generation times and check intervals of the long scenarios. */
  timeScale: number;
  /** `--jobs N`: every scenario's size (jobs, rows, or finished jobs; see bench/README.md), instead of its default. */
  jobs?: number | undefined;
  /** `--fair-share-rows N`: FAIR_SHARE_ROWS for the API of the ingest scenario (0: no priorities). */
  fairShareRows?: number | undefined;
  /** `--concurrency N`: WORKER_CONCURRENCY of the capacity scenario's worker, instead of its default. */
  concurrency?: number | undefined;
  log: (line: string) => void;
};
