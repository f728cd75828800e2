// The publishable packages of this repository, in build order, and the helpers that build and
// pack them; shared by `npm run pack`, the packaging lint and the consumer matrix.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Workspace folder and package name; sandbox first, because auth's testing entry builds on it. */
export const packages = [
  { dir: 'libs/candescent-sandbox', name: '@candescent/sandbox' },
  { dir: 'libs/candescent-auth', name: '@candescent/auth' },
];

/** Runs a command in the repository root and returns its stdout; its stderr goes to ours. */
export function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** Builds every package from a clean dist/, so no file of an earlier build can ship. */
export function buildPackages() {
  for (const { dir } of packages) rmSync(path.join(root, dir, 'dist'), { recursive: true, force: true });
  run('npx', ['tsc', '-b', ...packages.map(({ dir }) => path.join(dir, 'tsconfig.build.json'))]);
}

/** Packs every (already built) package into `outDir`; returns name -> absolute tarball path. */
export function packPackages(outDir) {
  mkdirSync(outDir, { recursive: true });
  const tarballs = {};
  for (const { dir, name } of packages) {
    const [info] = JSON.parse(
      run('npm', ['pack', '--json', '--silent', '--pack-destination', outDir], { cwd: path.join(root, dir) }),
    );
    tarballs[name] = path.join(outDir, info.filename);
  }
  return tarballs;
}

/** The files `npm pack` would ship for each package, from `npm pack --dry-run`. */
export function packedFiles() {
  return packages.map(({ dir, name }) => {
    const [info] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--silent'], { cwd: path.join(root, dir) }));
    return { name, files: info.files.map((file) => file.path) };
  });
}
