/**
 * What drives a generation's time, and how long it takes before anything is learned. The worker's
 * learned schedules are keyed by `timingKey` (model, clip duration, and resolution where the model has
 * one, with the model's defaults filled in); `expectedSeconds` seeds them: the curated measurements of
 * the overlay (the Kandinsky models) or, for every other model, a guess.
 */
import { effectiveParams } from './effective.js';
import type { CatalogueModel } from './types.js';

/**
 * A GUESS, not a measurement: wall-clock seconds of generation per second of video for a model
 * nobody has measured. Kandinsky 5 distilled takes about 9 s per second of video, the full model
 * about 30; 12 places a first check early rather than late (a check too early costs one status call,
 * one too late costs detection lag). The schedule replaces it with the model's learned median after
 * its first few generations.
 */
export const GUESS_SECONDS_PER_VIDEO_SECOND = 12;
/** A GUESS too: the clip length assumed for a model without a `duration` field or default. */
export const GUESS_VIDEO_SECONDS = 5;

export type TimingKey = {
  model: string;
  /** Seconds of video, the model's default filled in; undefined when neither says. */
  duration?: number;
  /** Only for models with a `resolution` field, its default filled in. */
  resolution?: string;
};

/** What drives the generation time of this request. */
export function timingKey(model: CatalogueModel, params: Readonly<Record<string, unknown>>): TimingKey {
  const effective = effectiveParams(model, params).params;
  const key: TimingKey = { model: model.id };
  if (typeof effective.duration === 'number') key.duration = effective.duration;
  if (model.fields.resolution !== undefined && typeof effective.resolution === 'string') {
    key.resolution = effective.resolution;
  }
  return key;
}

export type ExpectedTime = {
  seconds: number;
  /** True when it is GUESS_SECONDS_PER_VIDEO_SECOND × the clip length, not a measurement. */
  guess: boolean;
};

/**
 * Expected create-to-completed seconds for a clip of `duration` seconds (undefined: the model's default
 * or GUESS_VIDEO_SECONDS). Measured figures are used as listed; a duration between or beyond them is
 * scaled from the nearest one.
 */
export function expectedSeconds(model: CatalogueModel, duration?: number): ExpectedTime {
  const fallback = model.fields.duration?.default;
  const clip = duration ?? (typeof fallback === 'number' ? fallback : GUESS_VIDEO_SECONDS);
  const measured = model.expectedSeconds ?? {};
  const known = Object.keys(measured).map(Number);
  if (known.length > 0 && Number.isFinite(clip) && clip > 0) {
    const nearest = known.reduce((a, b) => (Math.abs(b - clip) < Math.abs(a - clip) ? b : a));
    const seconds = measured[String(nearest)] ?? 0;
    return { seconds: nearest === clip ? seconds : Math.round((seconds * clip) / nearest), guess: false };
  }
  return { seconds: clip * GUESS_SECONDS_PER_VIDEO_SECOND, guess: true };
}
