import { probeCluster } from '#main/jobs/cluster/probe';
import { WorkbenchError } from '#shared/api/errors';
import { ClusterProfile } from '#shared/domain/cluster';
import type { ServiceContext } from './context';
import type { Handlers } from './handler';

function profileOf(ctx: ServiceContext, name: string): ClusterProfile {
  const raw = ctx.store.clusters.profile(name);
  if (raw === undefined) throw new WorkbenchError('not_found', `No cluster profile named "${name}"`, 'name');
  return ClusterProfile.parse(raw);
}

/** `clusters.*`: cluster profiles (stored in the data folder's database) and their check. */
export const clusterHandlers: Handlers<
  'clusters.list' | 'clusters.save' | 'clusters.remove' | 'clusters.test'
> = {
  'clusters.list': (_input, ctx) =>
    ctx.store.clusters.profiles().flatMap((p) => {
      const parsed = ClusterProfile.safeParse(p);
      return parsed.success ? [parsed.data] : [];
    }),
  'clusters.save': (profile, ctx) => {
    ctx.store.clusters.saveProfile(profile);
    return profileOf(ctx, profile.name);
  },
  'clusters.remove': ({ name }, ctx) => ({ removed: ctx.store.clusters.removeProfile(name) }),
  'clusters.test': ({ name }, ctx) => probeCluster(profileOf(ctx, name)),
};
