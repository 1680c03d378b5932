// `cluster test` runs this on the node inside its probe job: the backend choice the worker
// makes there (the same initBackend, no preference), the GPU facts behind it, as one line
// `biomed-backend: {json}` on stdout.
import { initBackend } from '#main/engine/backend/index';
import { describeNodeBackend, type NodeBackendReport, nodeGpuFacts } from './node-backend';

const gpu = nodeGpuFacts();
try {
  const info = await initBackend();
  const report: NodeBackendReport = {
    backend: info.name,
    device: info.device,
    summary: describeNodeBackend(info, gpu),
    gpu,
  };
  process.stdout.write(`biomed-backend: ${JSON.stringify(report)}\n`);
  process.exit(0);
} catch (err) {
  process.stdout.write(
    `biomed-backend: ${JSON.stringify({ backend: 'none', device: 'none', summary: `no backend started: ${(err as Error).message}`, gpu })}\n`,
  );
  process.exit(1);
}
