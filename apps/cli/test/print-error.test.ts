import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@vidqueue/client/http';
import { printError } from '../src/print-error.js';

function captured(err: unknown): string {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const io = { stdout: new PassThrough(), stderr, env: {} } as unknown as Parameters<typeof printError>[1];
  printError(err, io);
  return text;
}

describe('printError: the hint after a refused file', () => {
  it('suggests --skip-invalid when some rows are valid, and not when none is', () => {
    const some = new ApiError(422, 'INVALID_ROWS', 'The file has invalid rows; nothing was enqueued', {
      errors: [{ line: 3, row: 2, column: 'prompt', message: 'must not be empty' }],
      error_count: 1,
    });
    expect(captured(some)).toContain('(vidq submit --skip-invalid enqueues the valid rows)');
    const none = new ApiError(
      422,
      'INVALID_ROWS',
      'No valid row: 2 error(s) in 2 row(s); nothing was enqueued',
      {
        errors: [{ line: 1, row: 1, message: 'not a JSON object' }],
        error_count: 2,
      },
    );
    const text = captured(none);
    expect(text).toContain('No valid row');
    expect(text).not.toContain('--skip-invalid');
  });
});
