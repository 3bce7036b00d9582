import { describe, expect, it } from 'vitest';
import { composeHooks, type GenerationJob, type ProcessorHooks } from '../src/index.js';

const job = { id: 'vid_1', data: {} } as unknown as GenerationJob;
const result = {
  videoUrl: 'https://example.test/v.mp4',
  generationId: 'g',
  model: 'm',
  polls: 1,
  submittedAt: 1,
  completedAt: 2,
};

describe('composeHooks', () => {
  it('calls each set in order, awaiting async hooks and skipping sets without the event', async () => {
    const calls: string[] = [];
    const later = (name: string) =>
      new Promise<void>((resolve) => setTimeout(() => (calls.push(name), resolve()), 5));
    const sets: (ProcessorHooks | undefined)[] = [
      { completed: () => later('async first') },
      undefined,
      { submitted: () => void calls.push('not this event') },
      {
        completed(this: ProcessorHooks) {
          // Called as a method of its own set.
          calls.push(this.failed ? 'sync second, bound' : 'unbound');
        },
        failed: () => undefined,
      },
      { completed: () => Promise.resolve().then(() => void calls.push('async third')) },
    ];
    await composeHooks(...sets).completed!(job, result);
    expect(calls).toEqual(['async first', 'sync second, bound', 'async third']);
  });

  it('stops at a hook that throws or rejects, and passes the error on', async () => {
    const calls: string[] = [];
    const hooks = composeHooks(
      {
        checked: () => {
          throw new Error('sync boom');
        },
      },
      { checked: () => void calls.push('never') },
    );
    const info = { status: 'queued', phase: 'pending' as const, polls: 1, at: 0 };
    await expect(hooks.checked!(job, info)).rejects.toThrow('sync boom');
    const rejecting = composeHooks({ paused: () => Promise.reject(new Error('async boom')) });
    await expect(
      rejecting.paused!(job, { reason: 'budget_exceeded', message: 'm', since: 0 }),
    ).rejects.toThrow('async boom');
    expect(calls).toEqual([]);
  });
});
