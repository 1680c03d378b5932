// Fixture: services may not reach the engine, neither by subpath nor by a relative path that climbs out
// of the folder. `biome lint` must fail on both imports.
import { createSession } from '#main/engine/session';
import { runsRepo } from '../../db/repos/runs';

export const leak = [createSession, runsRepo];
