import type { VidqueueClient } from '../src/index.js';
import type { TestStack } from './harness.js';

/** What the cases share: the stack, this mode's client, a temp dir, and ways to ask the API itself. */
export type ContractContext = {
  readonly mode: 'redis' | 'http';
  readonly stack: TestStack;
  readonly vq: VidqueueClient;
  readonly dir: string;
  /** The API's own answer to a request, for comparison. */
  api(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }>;
  /** What an SDK `ApiError` carries, in the API's error body shape. */
  asBody(err: unknown): { error: { code: string; message: string; details?: unknown } };
  /** Jobs in the queue, in every state. */
  jobCount(): Promise<number>;
};
