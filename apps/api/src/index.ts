export { buildApp, BODY_LIMIT_BYTES, type App, type AppDeps } from './app.js';
export { HttpError } from './errors.js';
export { DASHBOARD_PATH } from './plugins/bull-board.js';
export { DOCS_PATH } from './plugins/docs.js';
export {
  assertSafeBinding,
  isLoopbackHost,
  startApi,
  UnsafeBindError,
  type RunningApi,
  type StartApiOptions,
} from './server.js';
