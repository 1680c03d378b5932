import { z } from 'zod';
import { method } from './define';

/**
 * What happens to identifying DICOM attributes at import. `basic-profile` (what the importers do,
 * main/data/dicom/deidentify.ts) drops the attributes of the PS3.15 Annex E Basic Application
 * Level Confidentiality Profile and keeps only pixels and technical attributes. Stricter policies
 * (refusing identified files outright) belong here once the importers read this setting.
 */
export const DeidentificationPolicy = z.enum(['basic-profile']);
export type DeidentificationPolicy = z.infer<typeof DeidentificationPolicy>;

/** Settings of one data folder, stored beside its database in `settings.json`. */
export const WorkbenchSettings = z.object({
  /** Engine workers the scheduler may run at once on this machine. */
  workerConcurrency: z.number().int().min(1).max(16),
  deidentification: DeidentificationPolicy,
});
export type WorkbenchSettings = z.infer<typeof WorkbenchSettings>;

/** Defaults of a fresh data folder: one worker (a training job uses every core), basic profile. */
export const DEFAULT_SETTINGS: WorkbenchSettings = {
  workerConcurrency: 1,
  deidentification: 'basic-profile',
};

/** Methods over the data folder's settings. */
export const settingsMethods = {
  'settings.get': method(z.object({}).strict(), WorkbenchSettings, 'Settings of this data folder'),
  'settings.update': method(
    WorkbenchSettings.partial().strict(),
    WorkbenchSettings,
    'Change some settings; returns all of them',
  ),
};
