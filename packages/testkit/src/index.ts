export { spawnTs, type Child } from './child-process.js';
export { deletePrefix } from './delete-prefix.js';
export { LogSink } from './log-sink.js';
export { dumpKeys } from './redis-scan.js';
export { uniquePrefix } from './unique.js';
