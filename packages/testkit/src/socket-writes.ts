import type { Socket } from 'node:net';

/**
 * Counts the writes that reach a socket's handle from now on: each `_write` or `_writev` Node makes is
 * one system call, however many `write()` calls it carries.
 */
export function countSocketWrites(stream: Socket): { calls: () => number } {
  let calls = 0;
  const write = stream._write.bind(stream);
  const writev = stream._writev?.bind(stream);
  stream._write = (...args) => {
    calls += 1;
    write(...args);
  };
  if (writev) {
    stream._writev = (...args) => {
      calls += 1;
      writev(...args);
    };
  }
  return { calls: () => calls };
}
