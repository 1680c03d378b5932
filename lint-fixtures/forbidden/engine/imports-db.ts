// Fixture: the engine must not touch the store or Electron. `biome lint` must fail on this file.
import Database from 'better-sqlite3';
import { runsRepo } from '../../../db/repos/runs';
import { app } from 'electron';

export const leak = [Database, runsRepo, app];
