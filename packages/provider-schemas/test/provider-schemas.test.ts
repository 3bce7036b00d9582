import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SNAPSHOT, videoModelSchema, videoModelSchemas, type PropertySchema } from '../src/index.js';
import { checkVideoModels } from '../src/check.js';

const raw = JSON.parse(
  readFileSync(new URL('../data/aimlapi-video-models.json', import.meta.url), 'utf8'),
) as { count: number; models: unknown[] };

function walk(schema: PropertySchema, visit: (p: PropertySchema) => void): void {
  visit(schema);
  if (schema.type === 'array') walk(schema.items, visit);
  if (schema.type === 'object')
    for (const child of Object.values(schema.properties ?? {})) walk(child, visit);
}

describe('@vidqueue/provider-schemas', () => {
  it('holds the 66 text-prompt video models of the snapshot, unchanged', () => {
    const models = videoModelSchemas();
    expect(models).toHaveLength(66);
    expect(models).toHaveLength(raw.count);
    expect(models).toEqual(raw.models);
    expect(new Set(models.map((m) => m.model)).size).toBe(66);
    expect(SNAPSHOT.date).toBe('2026-08-21');
  });

  it('gives one model by id, as published (string default for an integer field kept as written)', () => {
    expect(videoModelSchema('sber-ai/kandinsky5-distill-t2v')).toEqual({
      model: 'sber-ai/kandinsky5-distill-t2v',
      source: 'video-models/Sber-AI/kandinsky5-distill-t2v.json',
      required: ['prompt'],
      properties: {
        prompt: { type: 'string', description: expect.any(String) as unknown },
        aspect_ratio: expect.objectContaining({
          type: 'string',
          enum: ['3:2', '1:1', '2:3'],
          default: '3:2',
        }) as unknown,
        duration: expect.objectContaining({ type: 'integer', enum: [5, 10], default: '5' }) as unknown,
        num_inference_steps: expect.objectContaining({ type: 'integer', default: 30 }) as unknown,
      },
    });
    expect(
      videoModelSchema('sber-ai/kandinsky5-distill-t2v')?.properties.num_inference_steps,
    ).not.toHaveProperty('minimum');
    expect(videoModelSchema('no/such-model')).toBeUndefined();
    expect(videoModelSchema('constructor')).toBeUndefined();
  });

  it('uses every property shape the types describe', () => {
    const types = new Set<string>();
    const keywords = new Set<string>();
    for (const model of videoModelSchemas()) {
      for (const property of Object.values(model.properties)) {
        walk(property, (p) => {
          types.add(p.type);
          for (const key of Object.keys(p)) keywords.add(key);
        });
      }
    }
    expect([...types].sort()).toEqual(['array', 'boolean', 'integer', 'number', 'object', 'string']);
    for (const key of [
      'enum',
      'default',
      'minimum',
      'maximum',
      'minLength',
      'maxLength',
      'items',
      'required',
    ])
      expect(keywords).toContain(key);
  });

  it('is frozen: nobody can turn it into our own rules at run time', () => {
    const model = videoModelSchemas()[0]!;
    expect(Object.isFrozen(videoModelSchemas())).toBe(true);
    expect(Object.isFrozen(model.properties)).toBe(true);
    expect(() => {
      (model.required as string[]).push('seed');
    }).toThrow(TypeError);
  });

  it('refuses a snapshot with a shape the types do not know', () => {
    const bad = (properties: unknown) => ({
      models: [{ model: 'x/y', source: 's', required: [], properties }],
    });
    expect(() => checkVideoModels(bad({ a: { type: 'string', nullable: true } }))).toThrow(
      /x\/y\.a: unexpected keyword nullable/,
    );
    expect(() => checkVideoModels(bad({ a: { type: 'date' } }))).toThrow(/unknown type date/);
    expect(() => checkVideoModels(bad({ a: { type: 'integer', enum: ['5'] } }))).toThrow(/enum/);
    expect(() => checkVideoModels({})).toThrow(/root/);
  });
});
