/**
 * The video models vidqueue supports and their parameters, in the provider's field names, enums,
 * defaults and bounds exactly as published (`test/model-table-contract.test.ts` holds them against
 * `@vidqueue/provider-schemas`); nothing here is a rule of our own.
 * The provider changes enums (until late 2025 Kandinsky's aspect ratios were 16:9, 9:16, 1:1), so
 * everything model-specific lives in this one table: to add a model or change a choice, edit MODELS.
 */

export type EnumParam = {
  type: 'enum';
  values: readonly (string | number)[];
  default?: string | number;
  description: string;
};
/**
 * An integer field. `min` / `max` only where the provider publishes them: where its docs are silent
 * (Kandinsky's `num_inference_steps`) the value goes through with its type checked, and a provider 400
 * fails that one request with the provider's own message.
 */
export type IntegerParam = {
  type: 'integer';
  min?: number;
  max?: number;
  default?: number;
  description: string;
};
export type StringParam = { type: 'string'; maxLength?: number; description: string };
export type ParamSpec = EnumParam | IntegerParam | StringParam;

export type ModelSpec = {
  label: string;
  description: string;
  /** Optional fields besides `model` and `prompt` (which every model takes). */
  parameters: Readonly<Record<string, ParamSpec>>;
  /** The `duration` used when the request gives none (seconds of video). */
  defaultDuration: number;
  /** Typical wall-clock seconds from create to completed, by video duration in seconds. */
  expectedSeconds: Readonly<Record<number, number>>;
};

export const DEFAULT_MODEL_ID = 'sber-ai/kandinsky5-distill-t2v';

const KANDINSKY5_PARAMETERS = {
  aspect_ratio: {
    type: 'enum',
    values: ['3:2', '1:1', '2:3'],
    default: '3:2',
    description: 'Frame shape: 3:2 is 768x512, 1:1 is 512x512, 2:3 is 512x768.',
  },
  duration: { type: 'enum', values: [5, 10], default: 5, description: 'Length of the video in seconds.' },
  num_inference_steps: {
    type: 'integer',
    // The provider publishes no range (docs snapshot 2026-08-21): no bound of our own either; the
    // provider's 400, if any, fails that one request with its own message.
    default: 30,
    description: 'Sampling steps: more is slower and usually better.',
  },
} as const satisfies Record<string, ParamSpec>;

export const MODELS: Readonly<Record<string, ModelSpec>> = Object.freeze({
  'sber-ai/kandinsky5-distill-t2v': {
    label: 'Kandinsky 5 Video Lite (distilled)',
    description: 'Fast text-to-video, 24 fps MP4 without sound.',
    parameters: KANDINSKY5_PARAMETERS,
    defaultDuration: 5,
    // Docs' sample run: 53.6 s for a 5 s clip; upstream: 35 s (5 s) and 61 s (10 s) on one H100.
    expectedSeconds: { 5: 45, 10: 70 },
  },
  'sber-ai/kandinsky5-t2v': {
    label: 'Kandinsky 5 Video Lite',
    description: 'Text-to-video, slower than the distilled model; 24 fps MP4 without sound.',
    parameters: KANDINSKY5_PARAMETERS,
    defaultDuration: 5,
    // About 2.5 minutes for a 5 s clip.
    expectedSeconds: { 5: 150, 10: 300 },
  },
});

export const SUPPORTED_MODEL_IDS: readonly string[] = Object.freeze(Object.keys(MODELS));

/** The model's spec, or undefined for an unsupported id (never inherited properties such as "constructor"). */
export function getModel(id: string): ModelSpec | undefined {
  return Object.hasOwn(MODELS, id) ? MODELS[id] : undefined;
}

/**
 * How long a generation of this model and duration usually takes, in ms; undefined for an unknown model.
 * Without a duration the model's default is used; a duration missing from the table is scaled from the
 * nearest listed one.
 */
export function expectedDurationMs(model: string, duration?: number): number | undefined {
  const spec = getModel(model);
  if (spec === undefined) return undefined;
  const seconds = duration ?? spec.defaultDuration;
  const listed = spec.expectedSeconds[seconds];
  if (listed !== undefined) return listed * 1000;
  const known = Object.keys(spec.expectedSeconds).map(Number);
  if (known.length === 0 || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  const nearest = known.reduce((a, b) => (Math.abs(b - seconds) < Math.abs(a - seconds) ? b : a));
  return Math.round(((spec.expectedSeconds[nearest] ?? 0) * seconds * 1000) / nearest);
}

export type ParameterDescription = {
  type: 'string' | 'integer';
  required: boolean;
  description: string;
  default?: string | number;
  /** Allowed values, for enums. */
  values?: (string | number)[];
  minimum?: number;
  maximum?: number;
  max_length?: number;
};

export type ModelDescription = {
  id: string;
  label: string;
  description: string;
  default: boolean;
  parameters: Record<string, ParameterDescription>;
  /** Typical seconds from submission to a finished video, keyed by video duration in seconds. */
  expected_seconds: Record<string, number>;
};

function describeParam(spec: ParamSpec): ParameterDescription {
  switch (spec.type) {
    case 'enum': {
      const numeric = spec.values.every((v) => typeof v === 'number');
      return {
        type: numeric ? 'integer' : 'string',
        required: false,
        description: spec.description,
        values: [...spec.values],
        ...(spec.default !== undefined && { default: spec.default }),
      };
    }
    case 'integer':
      return {
        type: 'integer',
        required: false,
        description: spec.description,
        ...(spec.min !== undefined && { minimum: spec.min }),
        ...(spec.max !== undefined && { maximum: spec.max }),
        ...(spec.default !== undefined && { default: spec.default }),
      };
    case 'string':
      return {
        type: 'string',
        required: false,
        description: spec.description,
        ...(spec.maxLength !== undefined && { max_length: spec.maxLength }),
      };
  }
}

/** Every supported model as plain JSON (snake_case, like our HTTP API), for `GET /v1/models`. */
export function listModels(): ModelDescription[] {
  return SUPPORTED_MODEL_IDS.map((id) => {
    const spec = MODELS[id]!;
    const parameters: Record<string, ParameterDescription> = {
      prompt: { type: 'string', required: true, description: 'What the video shows.' },
    };
    for (const [name, param] of Object.entries(spec.parameters)) parameters[name] = describeParam(param);
    return {
      id,
      label: spec.label,
      description: spec.description,
      default: id === DEFAULT_MODEL_ID,
      parameters,
      expected_seconds: Object.fromEntries(Object.entries(spec.expectedSeconds)),
    };
  });
}
