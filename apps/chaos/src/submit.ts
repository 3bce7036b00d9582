export type SubmitStats = {
  /** 503 answers (Redis unreachable) that were retried. */
  unavailable: number;
  /** Requests that got no answer (API restarting, connection refused) and were retried. */
  networkErrors: number;
  /** 409 IDEMPOTENCY_KEY_CONFLICT (Redis went away between claiming the key and adding the job). */
  idempotencyConflicts: number;
  /** Repeats answered 200 with the first request's video (Idempotent-Replayed). */
  replayed: number;
};

export type SubmitOptions = {
  apiUrl: string;
  token: string;
  prompts: readonly string[];
  concurrency: number;
  /** Idempotency-Key prefix, unique per run. */
  keyPrefix: string;
  /** Stop retrying after this moment (epoch ms). */
  deadline: number;
  onAccepted?: (index: number, id: string) => void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs every prompt to /v1/videos, `concurrency` at a time. Each prompt carries an Idempotency-Key,
 * so a retry after a lost answer never enqueues it twice; 503 and network errors are retried until the
 * deadline. A 409 IDEMPOTENCY_KEY_CONFLICT means the key was claimed but the job never added (Redis went
 * down in between), so the prompt is sent again under a new key. Returns the video id per prompt
 * (undefined when it was never accepted).
 */
export async function submitAll(
  options: SubmitOptions,
): Promise<{ ids: (string | undefined)[]; stats: SubmitStats }> {
  const ids: (string | undefined)[] = Array.from({ length: options.prompts.length });
  const stats: SubmitStats = { unavailable: 0, networkErrors: 0, idempotencyConflicts: 0, replayed: 0 };
  let next = 0;

  async function submitOne(index: number): Promise<void> {
    let generation = 1;
    while (Date.now() < options.deadline) {
      let res: Response;
      try {
        res = await fetch(`${options.apiUrl}/v1/videos`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.token}`,
            'content-type': 'application/json',
            'idempotency-key': `${options.keyPrefix}-${index}-${generation}`,
          },
          body: JSON.stringify({ prompt: options.prompts[index], custom_id: String(index) }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch {
        stats.networkErrors += 1;
        await sleep(200);
        continue;
      }
      const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
      if ((res.status === 202 || res.status === 200) && body.id) {
        if (res.status === 200) stats.replayed += 1;
        ids[index] = body.id;
        options.onAccepted?.(index, body.id);
        return;
      }
      if (res.status === 409 && body.error?.code === 'IDEMPOTENCY_KEY_CONFLICT') {
        stats.idempotencyConflicts += 1;
        generation += 1;
        continue;
      }
      if (res.status === 503) {
        stats.unavailable += 1;
        await sleep(200);
        continue;
      }
      throw new Error(`POST /v1/videos answered ${res.status}: ${JSON.stringify(body)}`);
    }
  }

  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.prompts.length) }, async () => {
      while (next < options.prompts.length) await submitOne(next++);
    }),
  );
  return { ids, stats };
}
