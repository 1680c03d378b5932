import { z } from 'zod';
import { method } from './define';

/** A compute backend the engine looked for, and whether it can be used here. */
export const BackendStatus = z.object({
  name: z.string(),
  available: z.boolean(),
  chosen: z.boolean(),
  detail: z.string(),
});
export type BackendStatus = z.infer<typeof BackendStatus>;

/** What Settings and the status bar show about this installation. */
export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  dataFolder: z.string(),
  databaseFile: z.string(),
  schemaVersion: z.number().int(),
  transport: z.enum(['electron', 'browser']),
  backends: z.array(BackendStatus),
  node: z.string(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Methods about the application itself. */
export const appMethods = {
  'app.info': method(z.object({}).strict(), AppInfo, 'Version, data folder and compute backends'),
};
