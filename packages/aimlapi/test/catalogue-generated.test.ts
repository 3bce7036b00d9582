import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SNAPSHOT, videoModelSchemas, type PropertySchema } from '@vidqueue/provider-schemas';
import { generatedCatalogueText, GENERATED_FILE } from '../src/catalogue/generate.js';
import { shippedCatalogue, type FieldSpec } from '../src/index.js';

/**
 * The shipped catalogue is generated from the provider's published schemas (the committed docs
 * snapshot) and the curated overlay, never typed by hand: the committed file must be exactly what the
 * generator makes, and every offered field must say what the docs say (no bound of our own).
 */

describe('the generated catalogue', () => {
  it('is up to date with the snapshot and the overlay (else: pnpm catalogue:generate)', () => {
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    expect(
      committed === generatedCatalogueText(),
      'catalogue.generated.json is stale: run pnpm catalogue:generate',
    ).toBe(true);
  });

  it(`offers 64 of the ${videoModelSchemas().length} text-prompt models and says why the other two are out`, () => {
    const catalogue = shippedCatalogue();
    expect(catalogue.data.source).toEqual({ kind: 'snapshot', date: SNAPSHOT.date, docs: SNAPSHOT.source });
    expect(catalogue.models).toHaveLength(64);
    expect(catalogue.data.excluded).toEqual([
      {
        id: 'alibaba/wan-2-6-r2v',
        aliases: [],
        reason: 'requires video_urls (a video input: vidqueue sends text prompts only)',
      },
      {
        id: 'kling-video/v1.6/standard/multi-image-to-video',
        aliases: [],
        reason: 'requires image_list (an image input: vidqueue sends text prompts only)',
      },
    ]);
    expect([...catalogue.ids, ...catalogue.data.excluded.map((e) => e.id)].sort()).toEqual(
      videoModelSchemas()
        .map((m) => m.model)
        .sort(),
    );
  });

  it('offers no image, video or audio input and no list or object', () => {
    for (const model of shippedCatalogue().models) {
      for (const name of Object.keys(model.fields)) {
        expect(name, model.id).not.toMatch(
          /image|video_url|audio_url|first_frame|keyframes|elements|multi_prompt/,
        );
      }
    }
    const veo = shippedCatalogue().get('google/veo-3-1-lite-generate-preview')!;
    expect(veo.notOffered).toEqual({
      image_url: 'an image input: vidqueue sends text prompts only',
      last_image_url: 'an image input: vidqueue sends text prompts only',
    });
    expect(shippedCatalogue().get('klingai/video-v3-pro-text-to-video')!.notOffered.multi_prompt).toMatch(
      /^a list: vidqueue sends one prompt per video/,
    );
    expect(
      shippedCatalogue().get('kling-video/v1/pro/text-to-video')!.notOffered.advanced_camera_control,
    ).toBe('an object the docs describe in prose only: not offered');
  });

  const published = new Map(videoModelSchemas().map((m) => [m.model, m]));
  for (const model of shippedCatalogue().models) {
    it(`${model.id}: every published field is offered as published, or left out with a reason`, () => {
      const schema = published.get(model.id)!;
      expect(Object.keys(schema.properties).sort()).toEqual(
        [...Object.keys(model.fields), ...Object.keys(model.notOffered)].sort(),
      );
      for (const [name, field] of Object.entries(model.fields)) {
        expectAsPublished(model.id, name, field, schema.properties[name]!);
      }
    });
  }
});

/** The same type, enum, bounds and default as the docs; a string default normalised with a note. */
function expectAsPublished(model: string, name: string, ours: FieldSpec, p: PropertySchema): void {
  const where = `${model} ${name}`;
  expect(ours.type, where).toBe(p.type);
  expect(ours.description, where).toBe(p.description);
  const q = p as {
    enum?: unknown[];
    default?: unknown;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
  };
  const o = ours as typeof q;
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
    expect(o[key], `${where}.${key}`).toBe(q[key]);
  }
  const overridden = ours.notes?.some((n) => n.startsWith('The docs: ')) === true;
  if (overridden) {
    // The overlay's text-only choice (minimax/h3 ratio): a subset of the published values.
    expect(q.enum, where).toEqual(expect.arrayContaining(o.enum ?? []));
    return;
  }
  expect(o.enum, where).toEqual(q.enum);
  if (typeof q.default === 'string' && (p.type === 'integer' || p.type === 'number')) {
    expect(o.default, where).toBe(Number(q.default));
    expect(ours.notes, where).toContain(
      `The docs write the default as the string ${JSON.stringify(q.default)}; it is the number ${Number(q.default)}.`,
    );
  } else {
    expect(o.default, where).toEqual(q.default);
  }
}
