import { isAimlApiError, type AimlApiClient } from '@vidqueue/aimlapi';
import type { MetricsRecorder } from '@vidqueue/core/runtime';
import type { ProcessorHooks } from './hooks.js';

/** The HTTP status a provider call ended with: 200 for an answer, the error's status, or `none`. */
function statusOf(err: unknown): number | 'none' {
  return isAimlApiError(err) && err.status !== undefined ? err.status : 'none';
}

/**
 * The provider client, counting every create, status and logs call by kind and HTTP status code into
 * `recorder`. The processor is unaware of it.
 */
export function instrumentClient(client: AimlApiClient, recorder: MetricsRecorder): AimlApiClient {
  return {
    async create(params, options) {
      try {
        const generation = await client.create(params, options);
        await recorder.providerCall('create', 200);
        return generation;
      } catch (err) {
        await recorder.providerCall('create', statusOf(err));
        throw err;
      }
    },
    async get(generationId, options) {
      try {
        const generation = await client.get(generationId, options);
        await recorder.providerCall('status', 200);
        return generation;
      } catch (err) {
        await recorder.providerCall('status', statusOf(err));
        throw err;
      }
    },
    async logs(query, options) {
      try {
        const page = await client.logs(query, options);
        await recorder.providerCall('logs', 200);
        return page;
      } catch (err) {
        await recorder.providerCall('logs', statusOf(err));
        throw err;
      }
    },
    // Reads of the catalogue and the balance are rare (cached), not counted.
    pricedCatalogue: (request) => client.pricedCatalogue(request),
    balance: (options) => client.balance(options),
  };
}

/**
 * Lifecycle hooks that feed GET /metrics: generations submitted and settled (their difference is the
 * number in flight), status-check lateness, the detection-lag bound, generation and completion times,
 * failures by code, cost (as the result carries it: from the create answer, a poll or the usage logs,
 * once per generation), unknown outcomes recovered from or proven absent by the usage logs. A replayed hook (crash mid-step) may count twice: operational figures.
 */
export function metricsHooks(recorder: MetricsRecorder): ProcessorHooks {
  return {
    async submitted() {
      await recorder.add({ submitted: 1 });
    },
    async checked(_job, info) {
      if (info.lateMs !== undefined) await recorder.observe('check_lateness_seconds', info.lateMs / 1000);
      if (info.phase !== 'pending' && info.previousCheckAt !== undefined) {
        await recorder.observe('detection_lag_bound_seconds', (info.at - info.previousCheckAt) / 1000);
      }
    },
    async reconciled(_job, info) {
      // `reconciled:recovered`: unknown outcomes found in the usage logs; `reconciled:not_created`: proven not made.
      await recorder.add({ [`reconciled:${info.outcome}`]: 1 });
    },
    async completed(job, result) {
      await Promise.all([
        recorder.add({
          completed: 1,
          settled: 1,
          ...(result.costUsd !== undefined && { cost_usd: result.costUsd }),
          ...(result.creditsUsed !== undefined && { credits: result.creditsUsed }),
        }),
        recorder.observe('generation_seconds', (result.completedAt - result.submittedAt) / 1000),
        recorder.observe('completion_seconds', (result.completedAt - job.timestamp) / 1000),
      ]);
    },
    async failed(job, failure) {
      // Only a job the provider had accepted was in flight there.
      const wasSubmitted = job.data.step === 'checking' && job.data.generationId !== undefined;
      await recorder.add({ [`failed:${failure.code}`]: 1, ...(wasSubmitted && { settled: 1 }) });
    },
  };
}
