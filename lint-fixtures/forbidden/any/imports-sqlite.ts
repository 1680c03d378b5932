// Fixture: better-sqlite3 lives in db/ only. `biome lint` must fail on this file wherever it is placed
// outside db/.
import Database from 'better-sqlite3';

export const leak = [Database];
