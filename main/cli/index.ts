import { runCli } from './main';

// The `biomed` binary: the same services as the app, without a window.
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
