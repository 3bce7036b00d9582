import catalogue from '../data/catalogue.json' with { type: 'json' };
import { pricingOf, type Pricing } from './prices.js';
import { VIDEO_MODELS, type VideoModel } from './video-models.js';

/**
 * The catalogue of `GET /v1/models` (shape of the provider's model catalogue docs). Video entries are
 * built from the published schemas (`@vidqueue/provider-schemas`) and the simulator's price list; their
 * capabilities and modalities are read from the schema's input fields (an `image_url` means the model
 * also takes an image). `docsJson` points at the simulator's own `/docs-json/<id>.json`.
 */

export const VIDEO_TYPE = 'internal/video-generations/submit';

export type Modalities = { input: string[]; output: string[] };

export type CatalogueModel = {
  id: string;
  aliases: string[];
  type: string;
  tags: string[];
  info: {
    name: string;
    developer: string;
    description: string;
    docsUrl?: string;
    /** A path under the simulator; made absolute per request. */
    docsJson?: string;
  };
  pricing: Pricing;
  modalities: Modalities;
  capabilities: string[];
};

const IMAGE_INPUTS = [
  'image_url',
  'image_urls',
  'image_list',
  'first_frame_image',
  'last_image_url',
  'reference_image_urls',
  'reference_images',
  'elements',
  'keyframes',
];
const VIDEO_INPUTS = ['video_url', 'video_urls'];
const AUDIO_INPUTS = ['audio_url', 'audio_urls'];
const AUDIO_SWITCHES = ['generate_audio', 'generate_audio_switch'];

const words = (s: string) => s.replace(/[-_]+/g, ' ');
const title = (s: string) => s.replace(/\b[a-z]/g, (c) => c.toUpperCase());

function videoEntry(model: VideoModel): CatalogueModel {
  const { id, schema, aliases } = model;
  const fields = Object.keys(schema.properties);
  const has = (names: readonly string[]) => names.some((n) => fields.includes(n));
  const folder = schema.source.split('/')[1] ?? '';
  const docsPath = schema.source.replace(/\.json$/, '').toLowerCase();
  return {
    id,
    aliases: [...aliases],
    type: VIDEO_TYPE,
    tags: ['playground:video'],
    info: {
      name: title(words(id.slice(id.indexOf('/') + 1).replaceAll('/', ' '))),
      developer: words(folder),
      description: `Video generation (${id}): request body as published in ${schema.source}.`,
      docsUrl: `https://docs.aimlapi.com/api-references/${docsPath}`,
      docsJson: `/docs-json/${id}.json`,
    },
    pricing: pricingOf(id),
    modalities: {
      input: [
        'text',
        ...(has(IMAGE_INPUTS) ? ['image'] : []),
        ...(has(VIDEO_INPUTS) ? ['video'] : []),
        ...(has(AUDIO_INPUTS) ? ['audio'] : []),
      ],
      output: ['video'],
    },
    capabilities: [
      'text_to_video',
      ...(has(IMAGE_INPUTS) ? ['image_to_video'] : []),
      ...(has(VIDEO_INPUTS) ? ['video_to_video'] : []),
      ...(has(AUDIO_SWITCHES) ? ['audio_generation'] : []),
    ],
  };
}

/** Every entry: the video models, then the listed-only others of data/catalogue.json. */
export const CATALOGUE: readonly CatalogueModel[] = Object.freeze([
  ...VIDEO_MODELS.map(videoEntry),
  ...(catalogue.others as CatalogueModel[]),
]);

/** The entries as listed with `renamedModels` applied: a renamed model under its new id, the old one its first alias. */
export function catalogueWith(renamed: Readonly<Record<string, string>>): readonly CatalogueModel[] {
  if (Object.keys(renamed).length === 0) return CATALOGUE;
  return CATALOGUE.map((m) =>
    Object.hasOwn(renamed, m.id) ? { ...m, id: renamed[m.id]!, aliases: [m.id, ...m.aliases] } : m,
  );
}

export const SECTIONS = ['pricing', 'modalities', 'capabilities'] as const;
export type Section = (typeof SECTIONS)[number];

/** An entry as answered: identity always, the sections asked for, `docsJson` made absolute. */
export function presentModel(
  model: CatalogueModel,
  sections: ReadonlySet<Section>,
  baseUrl: string,
): Record<string, unknown> {
  const { pricing, modalities, capabilities, info, ...identity } = model;
  return {
    ...identity,
    info: info.docsJson === undefined ? info : { ...info, docsJson: `${baseUrl}${info.docsJson}` },
    ...(sections.has('pricing') && { pricing }),
    ...(sections.has('modalities') && { modalities }),
    ...(sections.has('capabilities') && { capabilities }),
  };
}
