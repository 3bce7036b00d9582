export { buildApp, BODY_LIMIT_BYTES, type App, type AppDeps } from './app.js';
export { ApiError, type FieldIssue } from './errors.js';
export { DASHBOARD_PATH } from './plugins/bull-board.js';
export { DOCS_PATH } from './plugins/docs.js';
export { CANCEL_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS } from './routes/videos.js';
export {
  assertSafeBinding,
  isLoopbackHost,
  startApi,
  UnsafeBindError,
  type RunningApi,
  type StartApiOptions,
} from './server.js';
export { toVideoView, videoStatus, VideoViewSchema, type VideoStatus, type VideoView } from './video-view.js';
