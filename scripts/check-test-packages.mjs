// The first step of `npm test`: checks that the programs the tests run are installed, and if any
// is missing stops at once with the one apt-get line that installs them, rather than failing in
// the middle of the run. The list is scripts/test-packages.txt, which .ci/run installs too.
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const LIST = new URL('./test-packages.txt', import.meta.url);

/** `${NAME:-default}` → the variable's value, or the default when it is unset or empty. */
const expand = (text) =>
  text.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name, fallback) => process.env[name] || fallback);

const allows = (path, mode) => {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
};

/** A file that exists (an absolute path), or a program found on PATH. */
const present = (check) =>
  isAbsolute(check)
    ? allows(check, constants.R_OK)
    : (process.env.PATH ?? '')
        .split(delimiter)
        .some((dir) => dir && allows(join(dir, check), constants.X_OK));

const missing = new Map();
for (const line of readFileSync(LIST, 'utf8').split('\n')) {
  const [pkg, check] = line.replace(/#.*/, '').trim().split(/\s+/);
  if (pkg && check && !present(expand(check))) {
    missing.set(pkg, [...(missing.get(pkg) ?? []), expand(check)]);
  }
}

if (missing.size > 0) {
  const what = [...missing].map(([pkg, checks]) => `${checks.join(', ')} (${pkg})`).join('; ');
  console.error(
    `npm test needs programs that are not installed: ${what}. Install them with:\n\n` +
      `  apt-get install --no-install-recommends ${[...missing.keys()].join(' ')}\n`,
  );
  process.exit(1);
}
