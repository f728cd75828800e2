// `npm run lint:package`: checks what each package would publish. publint (package.json against
// the packed files), attw (types resolve under node10, node16 from CJS and ESM, and bundler), and
// the file list of `npm pack --dry-run`: built JS, declarations, maps, README, LICENSE, CHANGELOG
// and package.json only, and none of those four missing; no TypeScript source, spec or test helper. Run after a build.
import { spawnSync } from 'node:child_process';
import { packages, packedFiles, root } from './packages.mjs';

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
let failed = 0;

function check(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    failed += 1;
    console.log(`=== ${label}: FAILED (exit ${result.status})`);
  }
}

// publint suggests "type": "commonjs"; the packages leave it out on purpose: with it, TypeScript's
// bundler resolution reads their declarations as CommonJS and picks axios's CommonJS types for
// them, which the app's own axios imports do not see (the consumer matrix's bundler app shows it).
for (const { dir, name } of packages) {
  check(`publint ${name}`, 'npx', ['publint', '--strict', dir]);
  check(`attw ${name}`, 'npx', ['attw', '--pack', dir, '--format', 'table-flipped']);
}

const ALLOWED = /^(?:package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/.+(?:\.m?js|\.d\.m?ts|\.m?js\.map))$/;
/** What every package must ship besides its build: the licence, the changelog, the readme. */
const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
const FORBIDDEN = /\.spec\.|\.test-helper\.|(?<!\.d)\.m?ts$/;
for (const { name, files } of packedFiles()) {
  const bad = files.filter((file) => !ALLOWED.test(file) || FORBIDDEN.test(file));
  const sources = files.filter((file) => /\.m?ts$/.test(file) && !/\.d\.m?ts$/.test(file));
  console.log(
    `\n=== npm pack --dry-run ${name}: ${files.length} files, ${sources.length} .ts sources other than .d.ts`,
  );
  if (bad.length > 0) {
    failed += 1;
    console.log(`=== ${name} would ship files it must not:\n  ${bad.join('\n  ')}`);
  }
  const missing = REQUIRED.filter((file) => !files.includes(file));
  if (missing.length > 0) {
    failed += 1;
    console.log(`=== ${name} would ship without ${missing.join(', ')}`);
  }
}

console.log(failed === 0 ? '\npackage lint: no problems' : `\npackage lint: ${failed} check(s) failed`);
process.exit(failed === 0 ? 0 : 1);
