// Writes src/catalogue/catalogue.generated.json from the provider's schemas (docs snapshot) and the
// overlay: `pnpm catalogue:generate`. Prints what is in and what is excluded, and why.
import { writeFileSync } from 'node:fs';
import {
  GENERATED_FILE,
  generateShippedCatalogue,
  generatedCatalogueText,
} from '../src/catalogue/generate.js';

const data = generateShippedCatalogue();
writeFileSync(GENERATED_FILE, generatedCatalogueText());
console.log(`${GENERATED_FILE.pathname}: ${data.models.length} models`);
for (const e of data.excluded) console.log(`  excluded ${e.id}: ${e.reason}`);
