import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ClusterUsage } from '#shared/domain/cluster';
import { ClusterUsageView } from './cluster-usage';

const usage: ClusterUsage[] = [
  {
    cluster: 'lab',
    workDir: '/scratch/me',
    bytes: 3 * 2 ** 20,
    error: null,
    bundles: [
      {
        path: '/scratch/me/biomed/e1',
        bytes: 2 * 2 ** 20,
        name: 'sweep lr',
        folders: [
          { kind: 'run', id: 'abcdef0123', path: '/scratch/me/biomed/e1/runs/abcdef0123', bytes: 2 ** 20 },
        ],
        removable: true,
        note: '1 run(s), 0 evaluation(s), all ended and ingested',
      },
      {
        path: '/scratch/me/biomed/e2',
        bytes: 2 ** 20,
        name: null,
        folders: [],
        removable: false,
        note: 'job 12 is still followed (Slurm: RUNNING): not ended or not ingested',
      },
    ],
  },
  {
    cluster: 'far',
    workDir: '/w',
    bytes: null,
    error: 'measuring /w/biomed (ssh far) failed: timeout',
    bundles: [],
  },
];

describe('History: cluster work folders', () => {
  it('shows each profile total, what clean would free, each bundle and run folder, and unreachable clusters', () => {
    const html = renderToStaticMarkup(<ClusterUsageView usage={usage} />);
    expect(html).toContain('<strong>lab</strong> 3.0 MB in 2 bundles');
    expect(html).toContain('2.0 MB removable: <code>biomed cluster clean lab</code>');
    expect(html).toContain('sweep lr');
    expect(html).toContain('run abcdef01: 1.0 MB');
    expect(html).toContain('kept: job 12 is still followed');
    expect(html).toContain('<td title="/scratch/me/biomed/e2">e2</td>');
    expect(html).toContain('measuring /w/biomed (ssh far) failed: timeout');
  });
});
