export { spawnTs, type Child } from './child-process.js';
export { deletePrefix } from './delete-prefix.js';
export { LogSink } from './log-sink.js';
export { dumpKeys } from './redis-scan.js';
export { countSocketWrites } from './socket-writes.js';
export { startTestCluster, type TestCluster } from './test-cluster.js';
export { uniquePrefix } from './unique.js';
export { Receiver, startReceiver, type Received } from './webhook-receiver.js';
