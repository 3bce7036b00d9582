import { ApiError, ValidationError, VidqueueError } from '@vidqueue/client/http';
import type { CliIo } from './cli-io.js';

/** Prints an error the way a user can act on it: the API's message, then each row or field problem. */
export function printError(err: unknown, io: CliIo): void {
  if (err instanceof ValidationError) {
    io.stderr.write(`error: ${err.message}\n`);
    return;
  }
  if (err instanceof ApiError) {
    io.stderr.write(`error: ${err.message} (${err.status} ${err.code})\n`);
    if (err.code === 'INVALID_ROWS' && !err.message.startsWith('No valid row'))
      io.stderr.write('  (vidq submit --skip-invalid enqueues the valid rows)\n');
    if (err.code === 'INSUFFICIENT_BALANCE')
      io.stderr.write(
        '  (vidq submit --ignore-balance enqueues it anyway; vidq estimate FILE shows the figures)\n',
      );
    const details = err.details as
      | { errors?: { line?: number; row?: number; column?: string; message: string }[]; error_count?: number }
      | { path: string; message: string }[]
      | { reason?: string; line?: number; column?: string }
      | undefined;
    if (Array.isArray(details)) {
      for (const d of details) io.stderr.write(`  ${d.path}: ${d.message}\n`);
    } else if (details && 'errors' in details && Array.isArray(details.errors)) {
      for (const e of details.errors) {
        const where = [
          e.line === undefined ? undefined : `line ${e.line}`,
          e.row === undefined ? undefined : `row ${e.row}`,
          e.column ? `column ${e.column}` : undefined,
        ]
          .filter(Boolean)
          .join(', ');
        io.stderr.write(`  ${where}: ${e.message}\n`);
      }
      const total = details.error_count ?? details.errors.length;
      if (total > details.errors.length) io.stderr.write(`  … and ${total - details.errors.length} more\n`);
    } else if (details && 'line' in details && details.line !== undefined) {
      io.stderr.write(`  at line ${details.line}${details.column ? `, column ${details.column}` : ''}\n`);
    }
    return;
  }
  if (err instanceof VidqueueError) {
    io.stderr.write(`error: ${err.message}\n`);
    return;
  }
  const fsProblem = describeFsError(err);
  if (fsProblem) {
    io.stderr.write(`error: ${fsProblem}\n`);
    return;
  }
  io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
};

/** A file system error (`ENOENT: no such file…, open 'x'`) in plain words: `cannot read x: no such file or directory`. */
function describeFsError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.path !== 'string') return undefined;
  const reason = FS_REASONS[e.code];
  if (reason === undefined) return undefined;
  const verb =
    e.syscall === 'write'
      ? 'write'
      : e.syscall === 'mkdir'
        ? 'create the directory'
        : ['open', 'read', 'stat'].includes(e.syscall ?? '')
          ? 'read'
          : 'use';
  return `cannot ${verb} ${e.path}: ${reason}`;
}
