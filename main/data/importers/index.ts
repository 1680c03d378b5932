import type { Importer } from '../types';
import { medmnistImporter } from './medmnist';
import { meqsumImporter } from './meqsum';
import { pubmedqaImporter } from './pubmedqa';
import { vqaRadImporter } from './vqa-rad';

/** Every importer, most specific first (detection takes the first that matches). */
export const IMPORTERS: readonly Importer[] = [
  vqaRadImporter,
  pubmedqaImporter,
  meqsumImporter,
  medmnistImporter,
];
