/**
 * `cluster-key-slot` (the CRC16 ioredis itself uses) ships no types: its one export. Found by the repo's
 * tsconfig.json (`packages/core/types`) and by the SDK build (`typeRoots` in packages/client/tsconfig.build.json).
 */
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0–16383) of a key, honouring its `{hash tag}`. */
  export default function generate(key: string | Buffer): number;
}
