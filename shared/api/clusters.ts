import { z } from 'zod';
import { ClusterCheckStep, ClusterProfile } from '#shared/domain/cluster';
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
};
