// The Debian packages the tests need (scripts/debian-packages.txt, one per line, `#` comments),
// checked and, where possible, installed. `npm test` runs `ensureSystemPackages()` first:
//   - all installed: nothing to do;
//   - some missing, running as root with apt-get: `apt-get update` + `apt-get install` them;
//   - otherwise: a message naming the missing packages and the exact command, and a failure.
// Not a Debian system (no dpkg-query): a note that names the list; nothing is counted as failed.
// Run alone: `node scripts/system-packages.mjs` (check and install) or `--check` (check only).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIST = join(dirname(fileURLToPath(import.meta.url)), 'debian-packages.txt');

/** The package names of the list (comments and blank lines dropped). */
export function readPackageList(text = readFileSync(LIST, 'utf8')) {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });

/** The real system: dpkg-query, apt-get, the uid. Tests pass their own. */
export const debianSystem = {
  hasDpkg: () => !sh('dpkg-query', ['--version']).error,
  hasApt: () => !sh('apt-get', ['--version']).error,
  isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  installed: (p) => /install ok installed/.test(sh('dpkg-query', ['-W', '-f=${Status}', p]).stdout ?? ''),
  run: (cmd, args) =>
    sh(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status ===
    0,
};

/**
 * Checks the list and installs what is missing when it can. Returns `{ ok, message }`: `ok` is
 * false only when packages are missing and could not be installed.
 */
export function ensureSystemPackages({
  system = debianSystem,
  packages = readPackageList(),
  install = true,
} = {}) {
  if (!system.hasDpkg())
    return {
      ok: true,
      message: `not a Debian system: install the equivalents of scripts/debian-packages.txt (${packages.join(', ')}) yourself`,
    };
  const missing = packages.filter((p) => !system.installed(p));
  if (missing.length === 0)
    return { ok: true, message: `all ${packages.length} Debian packages are installed` };
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!install || !system.isRoot() || !system.hasApt())
    return {
      ok: false,
      message:
        `missing Debian packages the tests need: ${missing.join(' ')}. Install them with\n` +
        `  sudo apt-get update && sudo ${command}\n` +
        '(or run `npm test` as root, which installs them from scripts/debian-packages.txt)',
    };
  console.log(`Installing the Debian packages the tests need: ${missing.join(' ')}`);
  const done = system.run('apt-get', ['update', '-qq']) && system.run('apt-get', command.split(' ').slice(1));
  const still = packages.filter((p) => !system.installed(p));
  return still.length === 0 && done
    ? { ok: true, message: `installed ${missing.join(' ')}` }
    : { ok: false, message: `\`${command}\` failed; still missing: ${still.join(' ')}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = ensureSystemPackages({ install: !process.argv.includes('--check') });
  console.log(r.message);
  process.exit(r.ok ? 0 : 1);
}
