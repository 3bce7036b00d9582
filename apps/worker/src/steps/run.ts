import { DelayedError } from 'bullmq';
import type { GenerationJob, GenerationJobData } from '@vidqueue/core/contract';
import { updateDataAndLog } from '@vidqueue/core/store';
import type { Logger, RedisConnection } from '@vidqueue/core/runtime';
import type { RunFlags } from './run-flags.js';

/**
 * What ends a run whose job moved to the delayed set. BullMQ's worker only tests the error's type
 * (`instanceof DelayedError`), never keeps or changes it, so one instance serves every run: making an
 * Error captures a stack trace, about 20 µs, once per create and per pending check (a CPU profile of the
 * capacity bench scenario).
 */
const MOVED_TO_DELAYED = new DelayedError();

/** See `JobRun.delayUntil`: the soonest a job's next run may start, in ms. */
export const MIN_REQUEUE_MS = 100;

/**
 * What one run of one job works with: the job and its lock token, `data` (what was last persisted),
 * the flags read when the run started, and the job's child logger. A class rather than an object
 * literal with a getter and closures, so each run allocates one object and no functions.
 */
export class JobRun {
  readonly job: GenerationJob;
  readonly token: string;
  /** The job data as last persisted (kept in step by `save`, `saveAndLog`, `saveProgress`; `keep`: in memory only). */
  data: GenerationJobData;
  readonly flags: RunFlags;
  private readonly logger: Logger;
  private readonly redis: RedisConnection;
  /** `JOB_LOG=all`: routine progress lines go to the job's log too. */
  readonly logsRoutine: boolean;
  /** The child logger, once made; until then the bindings it will be made with. */
  private child: Logger | undefined;
  private bindings: Record<string, unknown>;

  constructor(
    job: GenerationJob,
    token: string,
    data: GenerationJobData,
    flags: RunFlags,
    logger: Logger,
    redis: RedisConnection,
    logsRoutine = false,
  ) {
    this.job = job;
    this.token = token;
    this.data = data;
    this.flags = flags;
    this.logger = logger;
    this.redis = redis;
    this.logsRoutine = logsRoutine;
    this.bindings = {
      jobId: job.id,
      ...(data.batchId !== undefined && { batchId: data.batchId }),
      ...(data.generationId !== undefined && { generationId: data.generationId }),
    };
  }

  /**
   * The job's child logger (`jobId`, `batchId`, `generationId`), made on first use: a pino child with
   * redaction costs CPU, and most runs of a busy worker log nothing.
   */
  get log(): Logger {
    return (this.child ??= this.logger.child(this.bindings));
  }

  /** Adds bindings to `log` (before or after it was made). */
  bind(extra: Record<string, unknown>): void {
    if (this.child) this.child = this.child.child(extra);
    else this.bindings = { ...this.bindings, ...extra };
  }

  /** Persists `patch` over the job data (`job.updateData`). */
  async save(patch: Partial<GenerationJobData>): Promise<void> {
    this.data = { ...this.data, ...patch };
    await this.job.updateData(this.data);
  }

  /**
   * Applies `patch` to `data` (and `job.data`, which hooks read) without writing it: for a run about to
   * return its result, which BullMQ stores as the job's record of how it ended.
   */
  keep(patch: Partial<GenerationJobData>): void {
    this.data = { ...this.data, ...patch };
    this.job.data = this.data;
  }

  /** `save` and a job log line, one round trip (`updateDataAndLog`): for what is unusual (a retry, a pause). */
  async saveAndLog(patch: Partial<GenerationJobData>, line: string): Promise<void> {
    await this.write(patch, line, false);
  }

  /**
   * `save` of routine progress (a submission, a check): its log line, made only then, is written only
   * with `JOB_LOG=all`; by default the data, the metrics and the traces hold that progress, and a job
   * that runs normally keeps no log list.
   */
  async saveProgress(patch: Partial<GenerationJobData>, line: () => string): Promise<void> {
    await this.write(patch, this.logsRoutine ? line() : undefined, false);
  }

  /**
   * `saveAndLog` for a job the provider now has (or may have): in the same write its priority drops
   * to 0 (when it had one), so each of its status checks or lookups, when due, goes to BullMQ's wait
   * list, ahead of every prioritized job not yet submitted: fair sharing (a batch row's priority) only
   * orders submissions, never a generation already in flight.
   */
  async saveAndLogInFlight(patch: Partial<GenerationJobData>, line: string): Promise<void> {
    await this.write(patch, line, true);
  }

  /** `saveAndLogInFlight` of routine progress (the create's answer): its line as in `saveProgress`. */
  async saveProgressInFlight(patch: Partial<GenerationJobData>, line: () => string): Promise<void> {
    await this.write(patch, this.logsRoutine ? line() : undefined, true);
  }

  private async write(
    patch: Partial<GenerationJobData>,
    line: string | undefined,
    inFlight: boolean,
  ): Promise<void> {
    this.data = { ...this.data, ...patch };
    const priority = inFlight && this.job.priority > 0 ? 0 : undefined;
    await updateDataAndLog(this.redis, this.job, this.data, line, priority);
  }

  /**
   * Moves the job to the delayed set until `at` (epoch ms), at least `MIN_REQUEUE_MS` from now, and ends
   * the run (`DelayedError`). The floor keeps this run's slot ahead of the job's next run: BullMQ's lock
   * manager tracks a job by its id, and this run stops tracking it (stops renewing its lock) only after
   * its own next fetch, so a job due at once, taken meanwhile by another slot of this worker, would lose
   * its lock renewal and, in a run longer than the lock (a slow create), its lock. 100 ms is far more
   * than that fetch's round trip, and no shorter than the shortest check interval allowed.
   */
  async delayUntil(at: number): Promise<never> {
    await this.job.moveToDelayed(Math.max(at, Date.now() + MIN_REQUEUE_MS), this.token);
    throw MOVED_TO_DELAYED;
  }
}
