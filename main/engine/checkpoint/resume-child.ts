/**
 * Test helper run as a separate process by checkpoint.test.ts: resumes the run saved in argv[2]
 * and trains the remaining updates, printing their losses and a digest of the weights as JSON.
 */
import { createHash } from 'node:crypto';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { loadSession } from '#main/engine/session';
import { syntheticExamples } from '#main/engine/train/train-fixture';

const [dir = '', steps = '2'] = process.argv.slice(2);
const session = await loadSession(dir, { backend: 'cpu' });
const examples = syntheticExamples(6, tinyTestConfig());
const batches = [session.prepare(examples.slice(0, 3)), session.prepare(examples.slice(3))];
const train = { schedule: { lr: 5e-3, totalSteps: 4, warmupRatio: 0.25 } };
const losses: number[] = [];
for (let i = 0; i < Number(steps); i++) {
  const step = session.step;
  losses.push((await session.trainStep(batches[step % 2] as never, train)).loss);
}
const hash = createHash('sha256');
for (const [name, v] of [...session.weights].sort(([a], [b]) => a.localeCompare(b))) {
  hash.update(name);
  hash.update(Buffer.from(((await v.data()) as Float32Array).buffer));
}
process.stdout.write(
  `RESULT ${JSON.stringify({ losses, digest: hash.digest('hex'), step: session.step })}\n`,
);
