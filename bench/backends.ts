// What initBackend finds on this machine: every backend, whether it started, and why not.
//   npx tsx bench/backends.ts
import { listBackends } from '#main/engine/backend/index';

const info = await listBackends();
console.log(JSON.stringify(info, null, 1));
