import type { Importer } from '#main/data/types';
import { biomedgptTsvImporter } from './biomedgpt-tsv';
import { biocaptionImporter, rocoImporter } from './captions';
import { cbisDdsmImporter } from './cbis-ddsm';
import { healthcareMagicImporter, icliniqImporter } from './dialogue-text';
import { imageFolderImporter } from './image-folder';
import { iuXrayImporter } from './iu-xray';
import { jsonlImporter } from './jsonl';
import { llavaMedImporter } from './llava-med';
import { medmnistImporter } from './medmnist';
import { mednliImporter } from './mednli';
import { meqsumImporter } from './meqsum';
import { mimicCxrImporter } from './mimic-cxr';
import { mimicNotesImporter } from './mimic-notes';
import { pathvqaImporter } from './pathvqa';
import { pubmedqaImporter } from './pubmedqa';
import { rsnaPneumoniaImporter } from './rsna-pneumonia';
import { slakeImporter } from './slake';
import { montgomeryImporter, shenzhenImporter } from './tb-cxr';
import { trecCtImporter } from './trec-ct';
import { vqaRadImporter } from './vqa-rad';

/** Every importer, most specific first (detection takes the first that matches). */
export const IMPORTERS: readonly Importer[] = [
  vqaRadImporter,
  slakeImporter,
  pathvqaImporter,
  pubmedqaImporter,
  mednliImporter,
  meqsumImporter,
  iuXrayImporter,
  mimicCxrImporter,
  mimicNotesImporter,
  rsnaPneumoniaImporter,
  cbisDdsmImporter,
  trecCtImporter,
  shenzhenImporter,
  montgomeryImporter,
  biocaptionImporter,
  icliniqImporter,
  healthcareMagicImporter,
  medmnistImporter,
  llavaMedImporter,
  jsonlImporter,
  biomedgptTsvImporter,
  rocoImporter,
  imageFolderImporter,
];
