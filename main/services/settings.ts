import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '#shared/api/errors';
import { DEFAULT_SETTINGS, WorkbenchSettings } from '#shared/api/settings';
import type { DataHome } from './data-home';
import type { Handlers } from './handler';

const file = (home: DataHome) => join(home.root, 'settings.json');

/** The settings of a data folder; defaults for what the file lacks or when it is unreadable. */
export function readSettings(home: DataHome): WorkbenchSettings {
  if (!existsSync(file(home))) return { ...DEFAULT_SETTINGS };
  try {
    const raw = JSON.parse(readFileSync(file(home), 'utf8')) as unknown;
    const parsed = WorkbenchSettings.partial().safeParse(raw);
    return { ...DEFAULT_SETTINGS, ...(parsed.success ? parsed.data : {}) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** `settings.*`: read and change the data folder's settings (written atomically). */
export const settingsHandlers: Handlers<'settings.get' | 'settings.update'> = {
  'settings.get': (_input, ctx) => readSettings(ctx.home),
  'settings.update': (patch, ctx) => {
    const next = { ...readSettings(ctx.home), ...patch };
    const tmp = `${file(ctx.home)}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
      renameSync(tmp, file(ctx.home));
    } catch (err) {
      throw new WorkbenchError(
        'unavailable',
        `Could not save the settings in ${ctx.home.root}: ${(err as Error).message}`,
      );
    }
    return next;
  },
};
