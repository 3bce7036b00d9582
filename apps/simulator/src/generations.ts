import { randomBytes, randomUUID } from 'node:crypto';
import type { IdStyle, MsRange } from './config.js';
import type { Charge } from './prices.js';
import type { Random } from './random.js';

/** What a generation will end as; decided at creation (the `fail` fault), revealed at `doneAt`. */
export type Outcome = 'completed' | 'error';

/** The canonical statuses; legacy spellings are applied when answering (see present.ts). */
export type GenerationStatus = 'queued' | 'generating' | 'completed' | 'error';

/**
 * One generation. Immutable: its status is computed from the clock when asked (no timer per
 * generation), so tens of thousands in flight cost a few hundred bytes each and no CPU.
 */
export type StoredGeneration = {
  readonly id: string;
  readonly model: string;
  /** The prompt text ('' for a body without one, such as a Kling `multi_prompt`). */
  readonly prompt: string;
  /** Seconds of video. */
  readonly duration: number;
  readonly createdAt: number;
  /** End of the `queued` phase (epoch ms). */
  readonly startsAt: number;
  /** When the generation completes or fails (epoch ms). */
  readonly doneAt: number;
  readonly outcome: Outcome;
  /** The `no_video` fault: completed (and billed) but answered with `video: null`. */
  readonly withoutVideo: boolean;
  /** The video's file name is `<fileKey>_output.mp4`. */
  readonly fileKey: string;
  /** Charged once the generation completes; never when it fails. */
  readonly creditsUsed: number;
  readonly usdSpent: number;
};

export type NewGeneration = {
  model: string;
  prompt: string;
  duration: number;
  charge: Charge;
  outcome: Outcome;
  /** The `no_video` fault (see StoredGeneration). */
  withoutVideo?: boolean;
  /** Total time from creation to the outcome. */
  totalMs: number;
  /** Share of totalMs spent `queued`. */
  queuedFraction: number;
  idStyle: IdStyle;
};

export function statusAt(generation: StoredGeneration, now: number): GenerationStatus {
  if (now >= generation.doneAt) return generation.outcome;
  return now < generation.startsAt ? 'queued' : 'generating';
}

/** Progress through the `generating` phase, 0..1 (legacy spellings split it in two). */
export function progressAt(generation: StoredGeneration, now: number): number {
  const span = generation.doneAt - generation.startsAt;
  if (span <= 0) return 1;
  return Math.min(1, Math.max(0, (now - generation.startsAt) / span));
}

/** A generation time drawn uniformly from the range, optionally scaled by the clip length (5 s = 1x). */
export function drawGenerationMs(range: MsRange, random: Random, duration: number, scale: boolean): number {
  const base = range.min + (range.max - range.min) * random();
  return Math.round(scale ? (base * duration) / 5 : base);
}

/** Kandinsky ids are `<uuid>:<model>` (with `:` and `/`); newer models answer short ids. */
export function newGenerationId(model: string, style: IdStyle): string {
  const suffixed = style === 'model' || (style === 'auto' && model.startsWith('sber-ai/kandinsky'));
  return suffixed ? `${randomUUID()}:${model}` : randomBytes(16).toString('base64url').slice(0, 21);
}

/** In-memory generations, keyed by id and by file key; the oldest are forgotten beyond `max`. */
export class GenerationStore {
  readonly #byId = new Map<string, StoredGeneration>();
  readonly #byFile = new Map<string, StoredGeneration>();
  /** Polls answered per generation (for the per-poll status dice); dropped with the generation. */
  readonly #polls = new Map<string, number>();
  #max: number;
  readonly #clock: () => number;

  constructor(max: number, clock: () => number = Date.now) {
    this.#max = max;
    this.#clock = clock;
  }

  add(input: NewGeneration): StoredGeneration {
    const createdAt = this.#clock();
    const generation: StoredGeneration = {
      id: newGenerationId(input.model, input.idStyle),
      model: input.model,
      prompt: input.prompt,
      duration: input.duration,
      createdAt,
      startsAt: createdAt + Math.round(input.totalMs * input.queuedFraction),
      doneAt: createdAt + input.totalMs,
      outcome: input.outcome,
      withoutVideo: input.withoutVideo === true,
      fileKey: randomBytes(16).toString('base64url').slice(0, 21),
      creditsUsed: input.charge.creditsUsed,
      usdSpent: input.charge.usdSpent,
    };
    this.#byId.set(generation.id, generation);
    this.#byFile.set(generation.fileKey, generation);
    this.#trim();
    return generation;
  }

  get(id: string): StoredGeneration | undefined {
    return this.#byId.get(id);
  }

  /** Counts one more poll of this generation and answers its number (1 for the first). */
  nextPoll(id: string): number {
    const n = (this.#polls.get(id) ?? 0) + 1;
    this.#polls.set(id, n);
    return n;
  }

  getByFileKey(fileKey: string): StoredGeneration | undefined {
    return this.#byFile.get(fileKey);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Generations not finished yet. A scan: cheap enough for a stats call, never on the hot path. */
  inFlight(now = this.#clock()): number {
    let n = 0;
    for (const g of this.#byId.values()) if (g.doneAt > now) n += 1;
    return n;
  }

  setMax(max: number): void {
    this.#max = max;
    this.#trim();
  }

  clear(): void {
    this.#byId.clear();
    this.#byFile.clear();
    this.#polls.clear();
  }

  #trim(): void {
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const [id, g] of this.#byId) {
      if (this.#byId.size <= this.#max) break;
      this.#byId.delete(id);
      this.#byFile.delete(g.fileKey);
      this.#polls.delete(id);
    }
  }
}
