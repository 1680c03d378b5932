// Fixture: the renderer must not reach the database. `biome lint` must fail on this file.
import { openDatabase } from '#db/connection';
import { readFileSync } from 'node:fs';

export const leak = [openDatabase, readFileSync];
