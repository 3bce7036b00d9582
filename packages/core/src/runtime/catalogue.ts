/**
 * The catalogue a process runs with: the local override (`CATALOGUE_FILE`, default
 * `.data/catalogue.json`, written by `vidq models update`) when it is present and valid, else the
 * shipped one. A bad file is refused with a clear message and the shipped catalogue is kept; an
 * unknown DEFAULT_MODEL refuses to start (a ConfigError naming the variable).
 */
import { readCatalogueFile, shippedCatalogue, type Catalogue } from '@vidqueue/aimlapi';
import { ConfigError, type Config } from './config.js';
import type { Logger } from './logger.js';

/** Where the override is looked for when CATALOGUE_FILE is unset (relative to the working directory). */
export const DEFAULT_CATALOGUE_FILE = '.data/catalogue.json';

export type LoadedCatalogue = {
  catalogue: Catalogue;
  /** The override file in use, when one is. */
  file?: string;
  /** Why an override file present on disk was refused (the shipped catalogue is used). */
  refused?: string;
};

/** The override if present and valid, else the shipped catalogue; never throws for a bad file. */
export function loadCatalogue(
  config: Pick<Config, 'CATALOGUE_FILE'>,
  options: { logger?: Logger; defaultFile?: string } = {},
): LoadedCatalogue {
  const file = config.CATALOGUE_FILE ?? options.defaultFile ?? DEFAULT_CATALOGUE_FILE;
  const shipped = shippedCatalogue();
  let loaded: LoadedCatalogue;
  try {
    const catalogue = readCatalogueFile(file);
    loaded = catalogue === undefined ? { catalogue: shipped } : { catalogue, file };
  } catch (err) {
    loaded = { catalogue: shipped, refused: (err as Error).message };
    options.logger?.error(
      { file },
      `catalogue file refused: ${loaded.refused}; using the ${shipped.describe()}. Run vidq models update again, or delete the file.`,
    );
  }
  if (!loaded.refused) {
    options.logger?.info(
      { file: loaded.file },
      `models: ${loaded.catalogue.describe()}${loaded.file ? ` (from ${loaded.file})` : ''}`,
    );
  }
  return loaded;
}

/** Throws a ConfigError naming DEFAULT_MODEL when the catalogue does not offer it. */
export function checkDefaultModel(config: Pick<Config, 'DEFAULT_MODEL'>, catalogue: Catalogue): void {
  const model = config.DEFAULT_MODEL;
  if (catalogue.get(model) !== undefined) return;
  const excluded = catalogue.excluded(model);
  const problem = excluded
    ? `model "${model}" is not offered: it ${excluded.reason}`
    : `unknown model "${model}": not in the ${catalogue.describe()}; GET /v1/models or vidq models lists them`;
  throw new ConfigError(`Invalid configuration:\n  DEFAULT_MODEL: ${problem}`);
}

/** `loadCatalogue`, then `checkDefaultModel`: what every process does at start. */
export function loadStartupCatalogue(
  config: Pick<Config, 'CATALOGUE_FILE' | 'DEFAULT_MODEL'>,
  options: { logger?: Logger; defaultFile?: string } = {},
): LoadedCatalogue {
  const loaded = loadCatalogue(config, options);
  checkDefaultModel(config, loaded.catalogue);
  return loaded;
}
