/**
 * The local catalogue override on disk (default `.data/catalogue.json`, written by `vidq models
 * update`): read and checked before use, written atomically (a reader never sees half a file).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CatalogueError, createCatalogue, type Catalogue } from './catalogue.js';
import type { CatalogueData } from './types.js';

/** Largest catalogue file read (the shipped one is about 130 KB). */
export const MAX_CATALOGUE_FILE_BYTES = 20 * 1024 * 1024;

/**
 * The catalogue in `path`, or undefined when there is no such file. Throws CatalogueError naming the
 * file and what is wrong with it (unreadable, too large, not JSON, not a catalogue).
 */
export function readCatalogueFile(path: string): Catalogue | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CatalogueError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.length > MAX_CATALOGUE_FILE_BYTES) {
    throw new CatalogueError(`${path}: larger than ${MAX_CATALOGUE_FILE_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CatalogueError(`${path}: not JSON (${(err as Error).message})`);
  }
  try {
    return createCatalogue(raw);
  } catch (err) {
    throw new CatalogueError(`${path}: ${(err as Error).message}`);
  }
}

/** Writes `data` (checked first) to `path` through a temporary file and a rename. */
export function writeCatalogueFile(path: string, data: CatalogueData): void {
  createCatalogue(data);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(temp, path);
}
