import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where everything of one installation lives (ARCHITECTURE.md, Storage). */
export interface DataHome {
  readonly root: string;
  readonly databaseFile: string;
  readonly blobs: string;
  readonly runs: string;
  /** Imported published weights, one folder per record (`<id>/model.safetensors`). */
  readonly weights: string;
}

/** The platform's data directory for the app, used when BIOMED_HOME is not set. */
export function platformDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Biomed Workbench');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Biomed Workbench');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'biomed-workbench');
}

/** BIOMED_HOME if set, else the platform's data directory. */
export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.BIOMED_HOME ? resolve(env.BIOMED_HOME) : platformDataDir(env);
}

/** Error raised when the data folder cannot be created or written. */
export class DataHomeError extends Error {
  constructor(
    readonly root: string,
    reason: string,
  ) {
    super(`The data folder ${root} is not writable (${reason}). Choose another folder with BIOMED_HOME.`);
    this.name = 'DataHomeError';
  }
}

/** Creates (if needed) and checks the data folder and its sub-folders. */
export function prepareDataHome(root: string): DataHome {
  const home: DataHome = {
    root,
    databaseFile: join(root, 'workbench.sqlite'),
    blobs: join(root, 'blobs'),
    runs: join(root, 'runs'),
    weights: join(root, 'weights'),
  };
  try {
    for (const dir of [home.root, home.blobs, home.runs, home.weights]) mkdirSync(dir, { recursive: true });
    accessSync(root, constants.W_OK);
    const probe = join(root, `.write-probe-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
  } catch (err) {
    throw new DataHomeError(root, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  return home;
}
