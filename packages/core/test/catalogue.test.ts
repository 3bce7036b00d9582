import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedCatalogue, writeCatalogueFile } from '@vidqueue/aimlapi';
import { ConfigError, createLogger, loadStartupCatalogue } from '../src/runtime/index.js';
import { LogSink } from '@vidqueue/testkit';

const dir = mkdtempSync(join(tmpdir(), 'vidq-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sinkLogger() {
  const sink = new LogSink();
  return { sink, logger: createLogger({ level: 'info', destination: sink }) };
}

describe('the catalogue a process starts with', () => {
  it('is the shipped one when there is no override file', () => {
    const loaded = loadStartupCatalogue({
      CATALOGUE_FILE: join(dir, 'absent.json'),
      DEFAULT_MODEL: 'sber-ai/kandinsky5-distill-t2v',
    });
    expect(loaded).toEqual({ catalogue: shippedCatalogue() });
  });

  it('is the override file when it is valid', () => {
    const file = join(dir, 'catalogue.json');
    const data = structuredClone(shippedCatalogue().data);
    data.source = { kind: 'provider', url: 'http://sim/v1/models', fetchedAt: '2026-12-01T00:00:00.000Z' };
    data.models = data.models.filter((m) => m.id.startsWith('google/'));
    writeCatalogueFile(file, data);
    const loaded = loadStartupCatalogue({ CATALOGUE_FILE: file, DEFAULT_MODEL: 'google/veo3' });
    expect(loaded.file).toBe(file);
    expect(loaded.catalogue.ids).toEqual(data.models.map((m) => m.id));
  });

  it('refuses a bad file with a clear message and keeps the shipped one', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"models": [');
    const { sink, logger } = sinkLogger();
    const loaded = loadStartupCatalogue(
      { CATALOGUE_FILE: file, DEFAULT_MODEL: 'sber-ai/kandinsky5-distill-t2v' },
      { logger },
    );
    expect(loaded.catalogue).toBe(shippedCatalogue());
    expect(loaded.refused).toMatch(new RegExp(`^${file}: not JSON`));
    const line = sink.lines.find((l) => l.level === 50);
    expect(String(line?.msg)).toMatch(
      /^catalogue file refused: .*bad\.json: not JSON .*; using the shipped catalogue \(docs snapshot 2026-08-21\): 64 models, 2 excluded/,
    );

    writeFileSync(file, JSON.stringify({ ...shippedCatalogue().data, models: [{ id: 'x' }] }));
    expect(loadStartupCatalogue({ CATALOGUE_FILE: file, DEFAULT_MODEL: 'veo2' }).refused).toMatch(
      /not a valid catalogue: models\.0\.aliases/,
    );
  });

  it('refuses an unknown DEFAULT_MODEL, naming the variable', () => {
    const config = { CATALOGUE_FILE: join(dir, 'absent.json') };
    expect(() => loadStartupCatalogue({ ...config, DEFAULT_MODEL: 'acme/video-9' })).toThrow(ConfigError);
    expect(() => loadStartupCatalogue({ ...config, DEFAULT_MODEL: 'acme/video-9' })).toThrow(
      'Invalid configuration:\n  DEFAULT_MODEL: unknown model "acme/video-9": not in the shipped catalogue (docs snapshot 2026-08-21): 64 models, 2 excluded; GET /v1/models or vidq models lists them',
    );
    expect(() => loadStartupCatalogue({ ...config, DEFAULT_MODEL: 'alibaba/wan-2-6-r2v' })).toThrow(
      /DEFAULT_MODEL: model "alibaba\/wan-2-6-r2v" is not offered: it requires video_urls/,
    );
  });
});
