import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SimulatorConfigError,
  loadSimulatorConfig,
  parseMsRange,
  resolveSettings,
} from '../src/index.js';

describe('loadSimulatorConfig', () => {
  it('has the documented defaults', () => {
    const config = loadSimulatorConfig({});
    expect(config).toEqual({
      ...DEFAULT_SETTINGS,
      host: '127.0.0.1',
      port: 4010,
      logLevel: 'info',
      logPretty: false,
    });
    expect(config.generationMs).toEqual({ min: 30_000, max: 60_000 });
  });

  it('reads every SIM_* variable; specific fault rates override the general ones', () => {
    const config = loadSimulatorConfig({
      SIM_HOST: '0.0.0.0',
      SIM_PORT: '0',
      SIM_PUBLIC_URL: 'http://simulator:4010',
      SIM_API_KEYS: 'one, two ,,three',
      SIM_GENERATION_MS: '300',
      SIM_SCALE_BY_DURATION: 'true',
      SIM_QUEUED_FRACTION: '0.25',
      SIM_FAULT_429: '0.2',
      SIM_FAULT_429_STATUS: '0',
      SIM_FAULT_5XX: '0.1',
      SIM_FAULT_5XX_CREATE: '0.3',
      SIM_FAULT_403: '0.05',
      SIM_FAULT_SLOW: '0.5',
      SIM_FAULT_SLOW_CREATE: '0',
      SIM_FAULT_DROP: '0.01',
      SIM_FAULT_DROP_STATUS: '0.02',
      SIM_FAULT_FAIL: '0.04',
      SIM_FAULT_NO_VIDEO: '0.06',
      SIM_SLOW_MS: '1500',
      SIM_RETRY_AFTER_S: '2',
      SIM_SERVER_ERROR_STATUSES: '503, 500',
      SIM_LEGACY: '1',
      SIM_ERROR_STYLE: 'problem',
      SIM_ID_STYLE: 'short',
      SIM_MAX_GENERATIONS: '5000',
      SIM_SEED: '9',
      SIM_FAULT_CREATED_502: '0.01',
      SIM_FAULT_CREATED_504: '0.02',
      SIM_FAULT_CREATED_524: '0.03',
      SIM_FAULT_CREATED_408: '0.04',
      SIM_COST_ON: 'completed',
      SIM_FRESH_404_MS: '1500',
      SIM_FILES_EXPIRE_MS: '86400000',
      SIM_PENDING_SPELLINGS: 'queued, generating,waiting,processing,active',
      SIM_UNKNOWN_STATUS_RATE: '0.1',
      SIM_FORBIDDEN_MODELS: 'google/veo3,openai/sora-2-t2v',
      SIM_RENAMED_MODELS: 'sber-ai/kandinsky5-distill-t2v = sber-ai/kandinsky-5-video-lite-distill',
      SIM_LOGS_DELAY_MS: '2000',
      SIM_LOGS_ROW_AT: 'completed',
      SIM_BALANCE_USD: '12.5',
      SIM_LOG_LEVEL: 'debug',
      SIM_LOG_PRETTY: 'false',
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      publicUrl: 'http://simulator:4010',
      apiKeys: ['one', 'two', 'three'],
      generationMs: { min: 300, max: 300 },
      scaleByDuration: true,
      queuedFraction: 0.25,
      createFaults: {
        rate_limit: 0.2,
        server_error: 0.3,
        out_of_credits: 0.05,
        slow: 0,
        drop: 0.01,
        fail: 0.04,
        no_video: 0.06,
        created_then_502: 0.01,
        created_then_504: 0.02,
        created_then_524: 0.03,
        created_then_408: 0.04,
      },
      statusFaults: {
        rate_limit: 0,
        server_error: 0.1,
        out_of_credits: 0,
        slow: 0.5,
        drop: 0.02,
        fail: 0,
        no_video: 0,
        created_then_502: 0,
        created_then_504: 0,
        created_then_524: 0,
        created_then_408: 0,
      },
      slowMs: 1500,
      retryAfterSeconds: 2,
      serverErrorStatuses: [503, 500],
      legacy: true,
      errorStyle: 'problem',
      idStyle: 'short',
      maxGenerations: 5000,
      seed: 9,
      costOn: 'completed',
      fresh404Ms: 1500,
      filesExpireMs: 86_400_000,
      pendingSpellings: ['queued', 'generating', 'waiting', 'processing', 'active'],
      unknownStatusRate: 0.1,
      forbiddenModels: ['google/veo3', 'openai/sora-2-t2v'],
      renamedModels: { 'sber-ai/kandinsky5-distill-t2v': 'sber-ai/kandinsky-5-video-lite-distill' },
      logsDelayMs: 2000,
      logsRowAt: 'completed',
      balanceUsd: 12.5,
      logLevel: 'debug',
      logPretty: false,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadSimulatorConfig({ SIM_GENERATION_MS: '', SIM_FAULT_429: ' ' }).generationMs).toEqual({
      min: 30_000,
      max: 60_000,
    });
  });

  it('names each bad variable and never echoes the keys', () => {
    let error: unknown;
    try {
      loadSimulatorConfig({
        SIM_FAULT_429: '1.5',
        SIM_GENERATION_MS: 'fast',
        SIM_PORT: '-1',
        SIM_LEGACY: 'maybe',
        SIM_COST_ON: 'never',
        SIM_LOGS_ROW_AT: 'soon',
        SIM_FRESH_404_MS: '-5',
        SIM_SERVER_ERROR_STATUSES: '500,418',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SimulatorConfigError);
    const message = (error as Error).message;
    for (const key of [
      'SIM_FAULT_429',
      'SIM_GENERATION_MS',
      'SIM_PORT',
      'SIM_LEGACY',
      'SIM_COST_ON',
      'SIM_LOGS_ROW_AT',
      'SIM_FRESH_404_MS',
      'SIM_SERVER_ERROR_STATUSES',
    ])
      expect(message).toContain(key);
    expect(() => loadSimulatorConfig({ SIM_GENERATION_MS: '900-100' })).toThrow(/min <= max/);
  });
});

describe('settings', () => {
  it('parses generation times as N or MIN-MAX', () => {
    expect(parseMsRange('300')).toEqual({ min: 300, max: 300 });
    expect(parseMsRange(' 100 - 250 ')).toEqual({ min: 100, max: 250 });
    expect(parseMsRange(40)).toEqual({ min: 40, max: 40 });
    expect(() => parseMsRange('10-5')).toThrow();
    expect(() => parseMsRange('soon')).toThrow();
  });

  it('merges general and per-side fault options and checks the rates', () => {
    const settings = resolveSettings({ faults: { drop: 0.1, fail: 0.2 }, statusFaults: { drop: 0 } });
    expect(settings.createFaults).toMatchObject({ drop: 0.1, fail: 0.2 });
    expect(settings.statusFaults).toMatchObject({ drop: 0, fail: 0.2 });
    expect(() => resolveSettings({ faults: { slow: -1 } })).toThrow(/between 0 and 1/);
    expect(() => resolveSettings({ unknownStatusRate: 2 })).toThrow(/unknownStatusRate/);
    expect(() => resolveSettings({ logsDelayMs: -1 })).toThrow(/logsDelayMs/);
  });

  it('takes only known settings from a wider object', () => {
    const settings = resolveSettings({ ...loadSimulatorConfig({}), legacy: true });
    expect(settings).not.toHaveProperty('host');
    expect(settings.legacy).toBe(true);
  });
});
