import { parseFailure } from '@vidqueue/core/contract';
import type { GenerationQueues } from '@vidqueue/core/store';
import type { SimStats } from '@vidqueue/simulator';
import type { ChaosSecrets } from './chaos-stack.js';

// What the run's end state says, per prompt: read from the API, the simulator's counts and the queue.

type View = {
  status?: string;
  video_url?: string | null;
  error?: { code?: string; message?: string } | null;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /v1/videos/:id for every accepted prompt (undefined for those never accepted). */
export async function readViews(
  apiUrl: string,
  token: string,
  ids: readonly (string | undefined)[],
  concurrency: number,
): Promise<(View | undefined)[]> {
  const views: (View | undefined)[] = Array.from({ length: ids.length });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const i = next++;
        const id = ids[i];
        if (id === undefined) continue;
        for (let attempt = 0; attempt < 20; attempt++) {
          const res = await fetch(`${apiUrl}/v1/videos/${id}`, {
            headers: { authorization: `Bearer ${token}` },
          }).catch(() => undefined);
          if (res?.status === 200 || res?.status === 404) {
            views[i] = res.status === 200 ? ((await res.json()) as View) : { status: 'not_found' };
            break;
          }
          await sleep(250);
        }
      }
    }),
  );
  return views;
}

export type Endings = {
  completed: number;
  failed: number;
  failedByReason: Record<string, number>;
  /** Up to three failure messages per reason. */
  failureExamples: Record<string, string[]>;
  /** Prompts that ended neither completed with a video nor failed with a reason. */
  lostExamples: string[];
};

/** Every prompt must end completed with a video URL or failed with a reason; anything else is lost. */
export function tallyEndings(
  views: readonly (View | undefined)[],
  ids: readonly (string | undefined)[],
): Endings {
  const endings: Endings = {
    completed: 0,
    failed: 0,
    failedByReason: {},
    failureExamples: {},
    lostExamples: [],
  };
  views.forEach((view, i) => {
    if (view?.status === 'completed' && view.video_url) endings.completed += 1;
    else if (view?.status === 'failed' && view.error?.code) {
      const code = view.error.code;
      endings.failed += 1;
      endings.failedByReason[code] = (endings.failedByReason[code] ?? 0) + 1;
      const examples = (endings.failureExamples[code] ??= []);
      if (examples.length < 3) examples.push(view.error.message ?? '');
    } else endings.lostExamples.push(`#${i} ${ids[i] ?? '(never accepted)'}: ${view?.status ?? 'unknown'}`);
  });
  return endings;
}

export type DuplicateCreates = { total: number; flagged: number; unflaggedPrompts: string[] };

/**
 * Prompts the simulator created more than once. An extra create is flagged when its job says so
 * (`possible_duplicate`) or failed `submission_unknown`; any other one was paid twice without a word.
 */
export async function countDuplicateCreates(
  byPrompt: SimStats['by_prompt'],
  prompts: readonly string[],
  ids: readonly (string | undefined)[],
  queue: GenerationQueues,
): Promise<DuplicateCreates> {
  const byIndex = new Map(prompts.map((p, i) => [p, i]));
  const result: DuplicateCreates = { total: 0, flagged: 0, unflaggedPrompts: [] };
  for (const [prompt, s] of Object.entries(byPrompt)) {
    if (s.creates <= 1) continue;
    const extra = s.creates - 1;
    result.total += extra;
    const index = byIndex.get(prompt);
    const id = index === undefined ? undefined : ids[index];
    const job = id === undefined ? undefined : await queue.getJob(id);
    const flag =
      job !== undefined &&
      (job.returnvalue?.possibleDuplicate === true ||
        job.data.possibleDuplicate === true ||
        parseFailure(job.failedReason).code === 'submission_unknown');
    if (flag) result.flagged += extra;
    else result.unflaggedPrompts.push(`#${index ?? '?'} ${id ?? ''} (${s.creates} creates)`);
  }
  return result;
}

/** Which secret turned up where: in any log line of any process, or any Redis key or value. */
export function findSecrets(secrets: ChaosSecrets, logText: string, redisText: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (logText.includes(value)) found.push(`${name} in the logs`);
    if (redisText.includes(value)) found.push(`${name} in Redis`);
  }
  return found;
}

export type Reconciled = {
  /** Create attempts whose outcome was unknown (lost answer, gateway error, crash after sending). */
  unknownOutcomes: number;
  /** Of those, found in the usage logs and adopted. */
  recovered: number;
  /** Of those, proven by the usage logs never to have made a generation (then created again). */
  notCreated: number;
};

/**
 * What the reconcile step did, counted from each job's own log lines (exact, unlike the metrics a
 * SIGKILLed worker may not have flushed): `create outcome unknown`, `recovered from the usage logs`,
 * `proven not created`.
 */
export async function countReconciled(
  queue: GenerationQueues,
  ids: readonly (string | undefined)[],
): Promise<Reconciled> {
  const result: Reconciled = { unknownOutcomes: 0, recovered: 0, notCreated: 0 };
  for (const id of ids) {
    if (id === undefined) continue;
    const { logs } = await queue.getJobLogs(id);
    for (const line of logs) {
      if (line.startsWith('create outcome unknown (')) result.unknownOutcomes += 1;
      else if (line.startsWith('recovered from the usage logs: ')) result.recovered += 1;
      else if (line.startsWith('proven not created (')) result.notCreated += 1;
    }
  }
  return result;
}
