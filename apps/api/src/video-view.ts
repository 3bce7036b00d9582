// The mapping lives in @vidqueue/core so the SDK (@vidqueue/client) shows the same view without depending on the API.
export {
  VIDEO_STATUSES,
  VideoViewSchema,
  isFinished,
  toVideoView,
  videoStatus,
  type GenerationJob,
  type JobStateName,
  type VideoStatus,
  type VideoView,
} from '@vidqueue/core/contract';
