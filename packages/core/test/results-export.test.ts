import { describe, expect, it } from 'vitest';
import { BATCH_RESULT_COLUMNS } from '../src/contract/index.js';
import { metadataColumnNames } from '../src/producer/results-export.js';

describe('CSV results export: metadata column names', () => {
  it('keeps metadata keys as they are when no fixed column has their name', () => {
    expect(metadataColumnNames(['campaign', 'note', 'Status', 'video_url '])).toEqual([
      'campaign',
      'note',
      'Status',
      'video_url ',
    ]);
  });

  it('writes a key named like a fixed column as metadata.<key>, so the header has no name twice', () => {
    const keys = ['campaign', 'status', 'row', 'video_url', 'error_code', 'cost_usd', 'prompt'];
    const names = metadataColumnNames(keys);
    expect(names).toEqual([
      'campaign',
      'metadata.status',
      'metadata.row',
      'metadata.video_url',
      'metadata.error_code',
      'metadata.cost_usd',
      'metadata.prompt',
    ]);
    const header = [...BATCH_RESULT_COLUMNS, ...names];
    expect(new Set(header).size).toBe(header.length);
  });

  it('prefixes again when metadata.<key> is itself a key of the upload', () => {
    const keys = ['metadata.status', 'status', 'metadata.metadata.status', 'model'];
    const names = metadataColumnNames(keys);
    expect(names).toEqual([
      'metadata.status',
      'metadata.metadata.metadata.status',
      'metadata.metadata.status',
      'metadata.model',
    ]);
    const header = [...BATCH_RESULT_COLUMNS, ...names];
    expect(new Set(header).size).toBe(header.length);
  });

  it('renames every fixed column a key can collide with', () => {
    const names = metadataColumnNames(BATCH_RESULT_COLUMNS);
    expect(names).toEqual(BATCH_RESULT_COLUMNS.map((c) => `metadata.${c}`));
  });
});
