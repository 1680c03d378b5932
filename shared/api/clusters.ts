import { z } from 'zod';
import { ClusterCheckStep, ClusterCleanResult, ClusterProfile, ClusterUsage } from '#shared/domain/cluster';
import { method } from './define';

const Name = z.object({ name: z.string().min(1) }).strict();

/** Methods over cluster profiles (Settings, `biomed cluster ...`). */
export const clusterMethods = {
  'clusters.list': method(z.object({}).strict(), z.array(ClusterProfile), 'Every cluster profile, by name'),
  'clusters.save': method(
    ClusterProfile,
    ClusterProfile,
    'Add a cluster profile, or replace the one of that name',
  ),
  'clusters.remove': method(Name, z.object({ removed: z.boolean() }), 'Remove a cluster profile'),
  'clusters.test': method(
    Name,
    z.object({ ok: z.boolean(), steps: z.array(ClusterCheckStep) }),
    'Reach the cluster, submit a tiny job, follow it to its end; reports each step',
  ),
  'clusters.usage': method(
    z.object({ name: z.string().min(1).optional() }).strict(),
    z.object({ clusters: z.array(ClusterUsage) }),
    "How much each cluster profile's work folder holds (or the named one), per bundle and per run folder",
  ),
  'clusters.clean': method(
    z
      .object({
        name: z.string().min(1),
        /** Remove; without it the call only lists what it would remove (a dry run). */
        confirm: z.boolean().default(false),
        /** Also remove bundles of failed or cancelled runs (which then cannot be resumed). */
        includeFailed: z.boolean().default(false),
      })
      .strict(),
    ClusterCleanResult,
    'List (dry run) or remove the bundles and run folders of ended, ingested runs and evaluations on a cluster',
  ),
};
