import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { FailureCode, parseFailure } from '@vidqueue/core/contract';
import { JobFailure } from '../src/index.js';

describe('JobFailure', () => {
  const failure = new JobFailure(FailureCode.DeadlineExceeded, 'generation g1: did not finish within 900 s');

  it('keeps its code and detail typed, for the failed hook', () => {
    expect(failure.code).toBe('deadline_exceeded');
    expect(failure.detail).toBe('generation g1: did not finish within 900 s');
    expect(failure.toHookFailure()).toEqual({
      code: 'deadline_exceeded',
      message: 'generation g1: did not finish within 900 s',
    });
  });

  it('is the `<code>: <detail>` string BullMQ stores and the API parses back', () => {
    expect(failure.message).toBe('deadline_exceeded: generation g1: did not finish within 900 s');
    expect(parseFailure(failure.message)).toEqual(failure.toHookFailure());
  });

  it('is an UnrecoverableError by class and by name (BullMQ does not re-run it)', () => {
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect(failure.name).toBe('UnrecoverableError');
    expect(failure.stack?.split('\n')[0]).toBe(`UnrecoverableError: ${failure.message}`);
  });
});
