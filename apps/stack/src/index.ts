export { startStack, type RunningStack, type StackOptions } from './start-stack.js';
export { dataDir, PROJECT_ROOT } from './paths.js';
