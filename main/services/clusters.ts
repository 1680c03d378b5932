import { cleanCluster, clusterUsage } from '#main/jobs/cluster/housekeeping';
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

function validProfiles(ctx: ServiceContext): ClusterProfile[] {
  return ctx.store.clusters.profiles().flatMap((p) => {
    const parsed = ClusterProfile.safeParse(p);
    return parsed.success ? [parsed.data] : [];
  });
}

/** `clusters.*`: cluster profiles (stored in the data folder's database) and their check. */
export const clusterHandlers: Handlers<
  | 'clusters.list'
  | 'clusters.save'
  | 'clusters.remove'
  | 'clusters.test'
  | 'clusters.usage'
  | 'clusters.clean'
> = {
  'clusters.list': (_input, ctx) => validProfiles(ctx),
  'clusters.save': (profile, ctx) => {
    ctx.store.clusters.saveProfile(profile);
    return profileOf(ctx, profile.name);
  },
  'clusters.remove': ({ name }, ctx) => ({ removed: ctx.store.clusters.removeProfile(name) }),
  'clusters.test': ({ name }, ctx) => probeCluster(profileOf(ctx, name)),
  'clusters.usage': async ({ name }, ctx) => {
    const profiles = name ? [profileOf(ctx, name)] : validProfiles(ctx);
    return { clusters: await Promise.all(profiles.map((p) => clusterUsage(ctx.store, p))) };
  },
  'clusters.clean': async ({ name, confirm, includeFailed }, ctx) => {
    try {
      return await cleanCluster(ctx.store, profileOf(ctx, name), { confirm, includeFailed });
    } catch (err) {
      if (err instanceof WorkbenchError) throw err;
      throw new WorkbenchError('unavailable', (err as Error).message, 'name');
    }
  },
};
