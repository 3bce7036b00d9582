import { startTestStack as startStack, type TestStack } from '@vidqueue/test-stack';

export type { TestStack };

export const API_TOKEN = 'client-test-token-3b7e';

/** The whole stack (simulator, worker, API) the contract suite drives, under a prefix of its own. */
export function startTestStack(): Promise<TestStack> {
  return startStack({ label: 'client', token: API_TOKEN });
}
