import { z } from 'zod';

/** How the workbench reaches a cluster's Slurm commands. */
export const ClusterAccess = z.discriminatedUnion('kind', [
  /** `sbatch`, `squeue`, `sacct`, `scancel` on this machine (a login node). */
  z.object({ kind: z.literal('local') }),
  /** The same commands over the system `ssh` binary, with the user's own SSH config and agent. */
  z.object({
    kind: z.literal('ssh'),
    /** A host name or a `Host` alias of the SSH config. */
    host: z
      .string()
      .trim()
      .min(1)
      .regex(/^[\w.@:-]+$/, 'must be a host name or SSH config alias'),
    /** An SSH config file other than ~/.ssh/config (`ssh -F`). */
    configFile: z.string().min(1).nullable().default(null),
  }),
]);
export type ClusterAccess = z.infer<typeof ClusterAccess>;

/** Slurm's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
const SlurmTime = z
  .string()
  .trim()
  .regex(
    /^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$/,
    'must be a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS)',
  );

/** A name Slurm accepts for a partition, account or QOS. */
const SlurmName = z
  .string()
  .trim()
  .regex(/^[\w.-]{1,64}$/, 'may hold letters, digits, _ . - only');

/** A cluster the workbench submits runs and sweeps to. */
export const ClusterProfile = z
  .object({
    name: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9][\w.-]{0,63}$/,
        'must start with a letter or digit and hold only letters, digits, _ . -',
      ),
    access: ClusterAccess,
    partition: SlurmName.nullable().default(null),
    account: SlurmName.nullable().default(null),
    qos: SlurmName.nullable().default(null),
    /** GPUs per job (`--gres=gpu[:type]:N`); 0 asks for none. */
    gpus: z.number().int().min(0).max(16).default(0),
    gpuType: SlurmName.nullable().default(null),
    cpus: z.number().int().min(1).max(512).default(1),
    /** Memory per job in MB (`--mem`). */
    memoryMb: z.number().int().min(64).max(4_000_000).default(4000),
    timeLimit: SlurmTime.default('1:00:00'),
    /** A folder every node and the submitting machine see (bundles and run folders go here). */
    workDir: z.string().regex(/^\//, 'must be an absolute path on the cluster'),
    /** The workbench checkout on the nodes (`npm ci` done there): where the worker runs from. */
    checkout: z.string().regex(/^\//, 'must be an absolute path on the cluster'),
    /** Shell lines run on the node before the worker (module loads, `source venv`, exports). */
    prepare: z.array(z.string().max(2000)).max(50).default([]),
    /** A slurm.conf other than the default (SLURM_CONF for every command). */
    slurmConf: z.string().regex(/^\//, 'must be an absolute path').nullable().default(null),
    /** Where job states come from: `auto` uses sacct and falls back to scontrol + the jobcomp log. */
    accounting: z.enum(['auto', 'sacct', 'scontrol']).default('auto'),
    /** Seconds between polls of squeue/sacct and the run folders. */
    pollSeconds: z.number().min(0.2).max(3600).default(15),
    /**
     * Seconds a job may go unreported by every Slurm source (squeue, sacct, scontrol, the
     * job-completion log) before its run or evaluation ends with that reason (purged records).
     */
    lostAfterSeconds: z.number().min(1).max(86_400).default(600),
  })
  .strict();
export type ClusterProfile = z.infer<typeof ClusterProfile>;
export type ClusterProfileInput = z.input<typeof ClusterProfile>;

/** Slurm job states that end a job (sacct's and squeue's names). */
export const SLURM_FINAL_STATES = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
] as const;

/** What Slurm says about one job (or array task), as the workbench last saw it. */
export const SlurmJobInfo = z.object({
  /** `123`, or `123_4` for an array task. */
  jobId: z.string(),
  state: z.string(),
  /** Pending reason (`Resources`, `Priority`...) or Slurm's reason for the end. */
  reason: z.string().nullable(),
  node: z.string().nullable(),
  /** Seconds the job has run. */
  elapsedSeconds: z.number().nullable(),
  /** `code:signal`, as sacct prints it. */
  exitCode: z.string().nullable(),
  /** Peak resident memory of the batch step in bytes (sacct MaxRSS). */
  maxRssBytes: z.number().nullable(),
});
export type SlurmJobInfo = z.infer<typeof SlurmJobInfo>;

/** A run's place on a cluster: shown in the Run view and History. */
export const ClusterRunInfo = SlurmJobInfo.extend({
  cluster: z.string(),
  attempt: z.number().int(),
  submittedAt: z.string(),
});
export type ClusterRunInfo = z.infer<typeof ClusterRunInfo>;

/** One step of `cluster test`. */
export const ClusterCheckStep = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  seconds: z.number(),
});
export type ClusterCheckStep = z.infer<typeof ClusterCheckStep>;

/** One folder of a cluster's work folder: a run's or an evaluation's, with what it holds. */
export const ClusterFolderUse = z.object({
  kind: z.enum(['run', 'evaluation']),
  /** The run's or evaluation's id. */
  id: z.string(),
  path: z.string(),
  /** Disk use in bytes (`du -sk`, so whole KiB blocks). */
  bytes: z.number().int(),
});
export type ClusterFolderUse = z.infer<typeof ClusterFolderUse>;

/** One bundle (an experiment's, or one evaluation's) on a cluster's work folder. */
export const ClusterBundleUse = z.object({
  path: z.string(),
  bytes: z.number().int(),
  /** The experiment's name, or the evaluation's, as this data folder knows it (null: unknown here). */
  name: z.string().nullable(),
  folders: z.array(ClusterFolderUse),
  /** Whether `cluster clean` would remove it. */
  removable: z.boolean(),
  /** Why it is kept (a job still followed, a paused run...), or what removing it loses. */
  note: z.string(),
});
export type ClusterBundleUse = z.infer<typeof ClusterBundleUse>;

/** How much one cluster profile's work folder holds (History, `cluster clean`). */
export const ClusterUsage = z.object({
  cluster: z.string(),
  workDir: z.string(),
  /** Null when the cluster could not be reached; `error` says why. */
  bytes: z.number().int().nullable(),
  error: z.string().nullable(),
  bundles: z.array(ClusterBundleUse),
});
export type ClusterUsage = z.infer<typeof ClusterUsage>;

/** What `cluster clean` listed (dry run) or removed. */
export const ClusterCleanResult = z.object({
  cluster: z.string(),
  dryRun: z.boolean(),
  /** The bundles removed (or that would be, in a dry run). */
  removed: z.array(ClusterBundleUse),
  /** The bundles kept, each with its reason. */
  kept: z.array(ClusterBundleUse),
  /** Bytes the removal freed (or would free). */
  bytesFreed: z.number().int(),
});
export type ClusterCleanResult = z.infer<typeof ClusterCleanResult>;
