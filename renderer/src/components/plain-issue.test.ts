import { describe, expect, it } from 'vitest';
import { ClusterProfile } from '#shared/domain/cluster';
import { plainIssue } from './plain-issue';

const base = {
  name: 'hpc',
  access: { kind: 'local' },
  gpus: 0,
  cpus: 4,
  memoryMb: 16000,
  timeLimit: '4:00:00',
  workDir: '/scratch/w',
  checkout: '/opt/wb',
};

function words(patch: Record<string, unknown>, label: string): string {
  const parsed = ClusterProfile.safeParse({ ...base, ...patch });
  if (parsed.success) throw new Error('expected a schema issue');
  return plainIssue(parsed.error.issues[0]!, label);
}

describe('plainIssue', () => {
  it('words number, range and pattern problems with the field name, never zod text', () => {
    expect(words({ gpus: Number.NaN }, 'GPUs per job')).toBe('GPUs per job must be a whole number');
    expect(words({ gpus: 1.5 }, 'GPUs per job')).toBe('GPUs per job must be a whole number');
    expect(words({ memoryMb: 10 }, 'Memory per job (MB)')).toBe('Memory per job (MB) must be at least 64');
    expect(words({ gpus: 99 }, 'GPUs per job')).toBe('GPUs per job must be at most 16');
    expect(words({ workDir: 'rel' }, 'Shared work folder')).toBe(
      'Shared work folder must be an absolute path on the cluster',
    );
  });
});
