import { describe, expect, it } from 'vitest';
import { ClusterProfile } from '#shared/domain/cluster';
import { clusterOutcome } from './outcome';
import {
  isFinalState,
  isNoAccounting,
  parseDuration,
  parseJobLines,
  parseMemory,
  parseSacct,
  parseSqueue,
  sbatchOptions,
} from './slurm';

// Output lines as Slurm 22.05 printed them on the test cluster (scripts/slurm-local.sh).
describe('Slurm output parsing', () => {
  it('reads squeue lines of array tasks and single jobs', () => {
    const m = parseSqueue(
      '2_0|RUNNING|None|vm|0:07\n2_1|PENDING|Resources||0:00\n4|RUNNING|None|vm|1-02:03:04\n',
    );
    expect(m.get('2_0')).toMatchObject({ state: 'RUNNING', reason: null, node: 'vm', elapsedSeconds: 7 });
    expect(m.get('2_1')).toMatchObject({ state: 'PENDING', reason: 'Resources', node: null });
    expect(m.get('4')!.elapsedSeconds).toBe(93784);
  });

  it('reads sacct with steps: the batch step gives MaxRSS, decorations are dropped', () => {
    const m = parseSacct(
      [
        '2_0|COMPLETED|None|vm|3|0:0|',
        '2_0.batch|COMPLETED||vm|3|0:0|3220K',
        '7|CANCELLED by 0|None|vm|12|0:15|',
        '7.batch|CANCELLED||vm|12|0:15|1.5G',
      ].join('\n'),
    );
    expect(m.get('2_0')).toMatchObject({
      state: 'COMPLETED',
      exitCode: '0:0',
      elapsedSeconds: 3,
      maxRssBytes: 3220 * 1024,
    });
    expect(m.get('7')).toMatchObject({ state: 'CANCELLED', maxRssBytes: Math.round(1.5 * 1024 ** 3) });
    expect([...m.keys()]).toEqual(['2_0', '7']);
  });

  it('reads scontrol -o and jobcomp/filetxt lines, naming array tasks by their array id', () => {
    const scontrol =
      'JobId=3 ArrayJobId=2 ArrayTaskId=0 JobName=wrap UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 RunTime=00:01:04 NodeList=vm';
    const jobcomp =
      'JobId=2 UserId=root(0) GroupId=root(0) Name=wrap JobState=COMPLETED Partition=debug TimeLimit=UNLIMITED StartTime=2026-12-01T08:47:03 EndTime=2026-12-01T08:47:06 NodeList=vm NodeCnt=1 ProcCnt=1 WorkDir=/tmp ArrayJobId=2 ArrayTaskId=1 DerivedExitCode=0:0 ExitCode=0:0 \nJobId=5 UserId=root(0) Name=wrap JobState=FAILED StartTime=2026-12-01T08:47:03 EndTime=2026-12-01T08:48:06 NodeList=vm ExitCode=1:0 ';
    expect(parseJobLines(scontrol).get('2_0')).toMatchObject({
      state: 'TIMEOUT',
      reason: 'TimeLimit',
      elapsedSeconds: 64,
    });
    const c = parseJobLines(jobcomp);
    expect(c.get('2_1')).toMatchObject({ state: 'COMPLETED', elapsedSeconds: 3, exitCode: '0:0' });
    expect(c.get('5')).toMatchObject({ state: 'FAILED', elapsedSeconds: 63, exitCode: '1:0' });
  });

  it('knows final states, durations, memory and the no-accounting answer', () => {
    expect(isFinalState('CANCELLED by 0')).toBe(true);
    expect(isFinalState('COMPLETING')).toBe(false);
    expect(isFinalState('PENDING')).toBe(false);
    expect(parseDuration('05:06')).toBe(306);
    expect(parseDuration('INVALID')).toBeNull();
    expect(parseMemory('12M')).toBe(12 * 1024 ** 2);
    expect(isNoAccounting('Slurm accounting storage is disabled')).toBe(true);
    expect(isNoAccounting('sacct: error: Invalid job id')).toBe(false);
  });

  it('turns a profile into sbatch options', () => {
    const p = ClusterProfile.parse({
      name: 'lab',
      access: { kind: 'local' },
      partition: 'gpu',
      account: 'lab1',
      qos: 'high',
      gpus: 2,
      gpuType: 'a100',
      cpus: 8,
      memoryMb: 64000,
      timeLimit: '1-00:00:00',
      workDir: '/scratch/bw',
      checkout: '/opt/bw',
    });
    expect(sbatchOptions(p)).toEqual([
      '--partition=gpu',
      '--account=lab1',
      '--qos=high',
      '--gres=gpu:a100:2',
      '--nodes=1',
      '--ntasks=1',
      '--cpus-per-task=8',
      '--mem=64000M',
      '--time=1-00:00:00',
    ]);
    expect(() => ClusterProfile.parse({ ...p, timeLimit: 'an hour' })).toThrow(/time limit/);
    expect(() => ClusterProfile.parse({ ...p, partition: 'gpu; rm -rf /' })).toThrow();
  });
});

describe('the run status Slurm leaves', () => {
  const info = { jobId: '9', cluster: 'lab', exitCode: '0:0', reason: null, timeLimit: '1:00:00' };
  const end = (reason: 'completed' | 'paused' | 'error', error: string | null = null) => ({
    reason,
    step: 5,
    signal: null,
    error,
  });
  it('succeeds only with the completion marker', () => {
    expect(clusterOutcome('COMPLETED', info, end('completed'), 5)).toEqual({
      status: 'succeeded',
      error: null,
    });
    expect(clusterOutcome('COMPLETED', info, null, 4).error).toMatch(/no completion marker.*step 4/);
    expect(clusterOutcome('COMPLETED', info, end('paused'), 5).status).toBe('paused');
  });
  it("ends with Slurm's reason even when the worker stopped cleanly", () => {
    const t = clusterOutcome('TIMEOUT', info, end('paused'), 12);
    expect(t.status).toBe('failed');
    expect(t.error).toMatch(
      /TIMEOUT: it reached its time limit \(--time=1:00:00\). Resume it to continue from its checkpoint at step 12/,
    );
    expect(clusterOutcome('OUT_OF_MEMORY', info, null, null).error).toMatch(
      /more memory.*--mem.*start again/,
    );
    expect(clusterOutcome('NODE_FAIL', info, null, 3).error).toMatch(/node failed/);
    expect(clusterOutcome('PREEMPTED', info, null, 3).error).toMatch(/preempted/);
    expect(clusterOutcome('CANCELLED by 0', info, null, null)).toMatchObject({ status: 'cancelled' });
    expect(
      clusterOutcome('FAILED', { ...info, exitCode: '1:0' }, end('error', 'bad dataset'), null).error,
    ).toMatch(/exit code 1:0\): bad dataset/);
  });
});
