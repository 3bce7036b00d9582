import type { ProcessorHooks } from './processor.js';

/**
 * One set of hooks that calls each given set in order (each awaited), so independent features
 * (budgets, batch rows, metrics...) can all observe a job. Absent entries are skipped.
 */
export function composeHooks(...list: (ProcessorHooks | undefined)[]): ProcessorHooks {
  const all = list.filter((h): h is ProcessorHooks => h !== undefined);
  return {
    async submitted(job, info) {
      for (const h of all) await h.submitted?.(job, info);
    },
    async checked(job, info) {
      for (const h of all) await h.checked?.(job, info);
    },
    async completed(job, result) {
      for (const h of all) await h.completed?.(job, result);
    },
    async failed(job, failure) {
      for (const h of all) await h.failed?.(job, failure);
    },
  };
}
