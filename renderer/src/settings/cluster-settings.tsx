import { useState } from 'react';
import { type ClusterCheckStep, ClusterProfile, type ClusterProfileInput } from '#shared/domain/cluster';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { TextAreaField, TextField } from '../components/field';
import { plainIssue } from '../components/plain-issue';

interface Draft {
  name: string;
  ssh: string;
  sshConfig: string;
  partition: string;
  account: string;
  qos: string;
  gpus: string;
  gpuType: string;
  cpus: string;
  memoryMb: string;
  timeLimit: string;
  workDir: string;
  checkout: string;
  prepare: string;
}

const EMPTY: Draft = {
  name: '',
  ssh: '',
  sshConfig: '',
  partition: '',
  account: '',
  qos: '',
  gpus: '0',
  gpuType: '',
  cpus: '4',
  memoryMb: '16000',
  timeLimit: '4:00:00',
  workDir: '',
  checkout: '',
  prepare: '',
};

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The profile a draft describes (validated by the shared schema, field by field). */
export function draftToProfile(d: Draft): ReturnType<typeof ClusterProfile.safeParse> {
  const input: ClusterProfileInput = {
    name: d.name.trim(),
    access: d.ssh.trim()
      ? { kind: 'ssh', host: d.ssh.trim(), configFile: orNull(d.sshConfig) }
      : { kind: 'local' },
    partition: orNull(d.partition),
    account: orNull(d.account),
    qos: orNull(d.qos),
    gpus: Number(d.gpus),
    gpuType: orNull(d.gpuType),
    cpus: Number(d.cpus),
    memoryMb: Number(d.memoryMb),
    timeLimit: d.timeLimit.trim(),
    workDir: d.workDir.trim(),
    checkout: d.checkout.trim(),
    prepare: d.prepare.split('\n').filter((l) => l.trim() !== ''),
  };
  return ClusterProfile.safeParse(input);
}

function toDraft(p: ClusterProfile): Draft {
  return {
    name: p.name,
    ssh: p.access.kind === 'ssh' ? p.access.host : '',
    sshConfig: p.access.kind === 'ssh' ? (p.access.configFile ?? '') : '',
    partition: p.partition ?? '',
    account: p.account ?? '',
    qos: p.qos ?? '',
    gpus: String(p.gpus),
    gpuType: p.gpuType ?? '',
    cpus: String(p.cpus),
    memoryMb: String(p.memoryMb),
    timeLimit: p.timeLimit,
    workDir: p.workDir,
    checkout: p.checkout,
    prepare: p.prepare.join('\n'),
  };
}

const FIELDS: readonly { key: keyof Draft; label: string; hint?: string }[] = [
  { key: 'name', label: 'Name' },
  {
    key: 'ssh',
    label: 'SSH host',
    hint: 'Empty: Slurm commands on this machine. Else a host or Host alias of your SSH config.',
  },
  { key: 'sshConfig', label: 'SSH config file', hint: 'Empty: ~/.ssh/config' },
  { key: 'partition', label: 'Partition' },
  { key: 'account', label: 'Account' },
  { key: 'qos', label: 'QOS' },
  { key: 'gpus', label: 'GPUs per job', hint: '--gres=gpu:N' },
  { key: 'gpuType', label: 'GPU type', hint: 'e.g. a100 (optional)' },
  { key: 'cpus', label: 'CPUs per job' },
  { key: 'memoryMb', label: 'Memory per job (MB)' },
  { key: 'timeLimit', label: 'Time limit', hint: 'HH:MM:SS or D-HH:MM:SS' },
  { key: 'workDir', label: 'Shared work folder', hint: 'Seen by the nodes; bundles and run folders go here' },
  { key: 'checkout', label: 'Workbench checkout on the nodes', hint: 'Where `npm ci` was run' },
];

/** Cluster profiles: add or edit one, test it (a tiny job, step by step), remove it. */
export function ClusterSettings() {
  const api = useApi();
  const { data, error, reload } = useQuery('clusters.list', {});
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [testing, setTesting] = useState<string | null>(null);
  const [result, setResult] = useState<{ name: string; ok: boolean; steps: ClusterCheckStep[] } | null>(null);
  const parsed = draftToProfile(draft);
  const issues = parsed.success ? [] : parsed.error.issues;
  const issueOf = (key: keyof Draft, label: string) => {
    const issue = issues.find((i) => String(i.path[0]) === key || (key === 'ssh' && i.path[0] === 'access'));
    return issue ? plainIssue(issue, label) : undefined;
  };
  const save = useSubmit(async () => {
    if (!parsed.success) return;
    await api.invoke('clusters.save', parsed.data);
    setDraft(EMPTY);
    reload();
  });
  const test = useSubmit(async (name: string) => {
    setTesting(name);
    setResult(null);
    setResult({ name, ...(await api.invoke('clusters.test', { name })) });
  });
  const remove = useSubmit(async (name: string) => {
    await api.invoke('clusters.remove', { name });
    reload();
  });
  return (
    <section aria-label="Clusters" className="clusters">
      <ErrorBanner error={error ?? save.error ?? test.error ?? remove.error} />
      {data && data.length > 0 ? (
        <table aria-label="Cluster profiles">
          <thead>
            <tr>
              <th>Name</th>
              <th>Access</th>
              <th>Partition</th>
              <th>Resources</th>
              <th>Work folder</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td>{p.access.kind === 'ssh' ? `ssh ${p.access.host}` : 'this machine'}</td>
                <td>{[p.partition, p.account, p.qos].filter(Boolean).join(' / ') || 'default'}</td>
                <td>
                  {p.gpus > 0 ? `${p.gpus} GPU, ` : ''}
                  {p.cpus} CPU, {p.memoryMb} MB, {p.timeLimit}
                </td>
                <td>
                  <code>{p.workDir}</code>
                </td>
                <td>
                  <button type="button" disabled={test.busy} onClick={() => test.submit(p.name)}>
                    {test.busy && testing === p.name ? 'Testing…' : 'Test'}
                  </button>{' '}
                  <button type="button" onClick={() => setDraft(toDraft(p))}>
                    Edit
                  </button>{' '}
                  <button type="button" onClick={() => remove.submit(p.name)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="hint">No clusters yet. Runs and sweeps go to Slurm once a cluster is added here.</p>
      )}
      {result && (
        <ol aria-label={`Test of ${result.name}`} className="check-steps">
          {result.steps.map((s) => (
            <li key={s.name} className={s.ok ? 'state-ok' : 'field-error'}>
              {s.ok ? '✓' : '✗'} {s.name}: {s.detail} ({s.seconds.toFixed(1)} s)
            </li>
          ))}
          <li>{result.ok ? `Cluster "${result.name}" works.` : `Cluster "${result.name}" failed.`}</li>
        </ol>
      )}
      <form
        className="settings-form"
        aria-label="Add a cluster"
        onSubmit={(e) => {
          e.preventDefault();
          void save.submit();
        }}
      >
        <h3>{data?.some((p) => p.name === draft.name.trim()) ? `Edit ${draft.name}` : 'Add a cluster'}</h3>
        {FIELDS.map(({ key, label, hint }) => (
          <TextField
            key={key}
            id={`cluster-${key}`}
            label={label}
            value={draft[key]}
            hint={hint}
            error={draft !== EMPTY ? issueOf(key, label) : undefined}
            onChange={(text) => setDraft({ ...draft, [key]: text })}
          />
        ))}
        <TextAreaField
          id="cluster-prepare"
          label="Node preparation (one command a line)"
          rows={3}
          value={draft.prepare}
          placeholder={'module load cuda/11.8\nexport BIOMED_BACKEND=node-gpu'}
          onChange={(text) => setDraft({ ...draft, prepare: text })}
        />
        <div>
          <button type="submit" disabled={!parsed.success}>
            Save cluster
          </button>
        </div>
      </form>
    </section>
  );
}
