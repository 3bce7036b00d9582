/**
 * What the schedule learns generation times by, and what it expects before it has learned any: both
 * from the catalogue the worker runs with. A job's timing key is its model, clip duration and (for a
 * model with a `resolution` field) resolution, the model's defaults filled in (`timingKey`).
 */
import { expectedSeconds, timingKey, type Catalogue, type TimingKey } from '@vidqueue/aimlapi';
import type { GenerationInput } from '@vidqueue/core/contract';

/** The job's timing key; a model the catalogue no longer offers is keyed by what the job says. */
export function timingKeys(catalogue: Catalogue): (input: GenerationInput) => TimingKey {
  return (input) => {
    const model = catalogue.get(input.model);
    if (model !== undefined) return timingKey(model, input);
    const key: TimingKey = { model: input.model };
    if (typeof input.duration === 'number') key.duration = input.duration;
    if (typeof input.resolution === 'string') key.resolution = input.resolution;
    return key;
  };
}

/**
 * The expected time before anything is learned, in ms: the measured figures of the catalogue (the
 * Kandinsky models) or its marked guess (seconds of video × GUESS_SECONDS_PER_VIDEO_SECOND).
 */
export function catalogueSeed(catalogue: Catalogue): (key: TimingKey) => number | undefined {
  return (key) => {
    const model = catalogue.get(key.model);
    return model === undefined ? undefined : expectedSeconds(model, key.duration).seconds * 1000;
  };
}
