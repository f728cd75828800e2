// The consumer matrix (`npm run test:consumers`, run by .ci/run): packs both packages, installs
// ONLY those tarballs (plus registry packages) into fresh scratch apps in a temporary folder, and
// in each app runs its package.json scripts in this order, when it has them:
//   build   tsc with skipLibCheck false (type-checks the app against the packed declarations);
//           an app with a readme/ folder in its tsconfig gets the README's ```ts snippets there
//   start   boots a guarded app on the sandbox: login, outgoing call, logout (see shared/)
//   cli     the sandbox's `candescent-sandbox` bin
//   test    one test of the app that uses @candescent/auth/testing
// Nothing is cached between runs except npm's own download cache, which is keyed by content
// hash; the tarballs are packed afresh into a new folder each run. KEEP_CONSUMERS=1 keeps it.
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackages, packPackages, root } from '../../scripts/packages.mjs';
import { extractTsSnippets } from './readme-snippets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const STEPS = ['build', 'start', 'cli', 'test'];
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs a command; resolves to its exit code and combined output, never rejects. */
function exec(command, args, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' },
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // The whole process group, so an app that hangs cannot keep a child alive after the timeout.
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs / 1000} s]`;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

function prepareApp(name, workDir, tarballs) {
  const dir = path.join(workDir, name);
  cpSync(path.join(here, 'apps', name), dir, { recursive: true });
  cpSync(path.join(here, 'shared'), path.join(dir, 'src'), { recursive: true });
  const manifestPath = path.join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const dependency of Object.keys(manifest[field] ?? {})) {
      if (manifest[field][dependency] !== '<tarball>') continue;
      if (!tarballs[dependency]) throw new Error(`${name}: no tarball for ${dependency}`);
      manifest[field][dependency] = `file:${tarballs[dependency]}`;
    }
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').includes('"readme"')) {
    const snippets = extractTsSnippets(readFileSync(path.join(root, 'README.md'), 'utf8'));
    mkdirSync(path.join(dir, 'readme'));
    for (const { line, code } of snippets) writeFileSync(path.join(dir, 'readme', `README.md-line-${line}.ts`), code);
    console.log(`${name}: ${snippets.length} TypeScript snippets from README.md`);
  }
  return { name, dir, manifest };
}

async function runApp(app) {
  const log = [];
  const appStarted = Date.now();
  const install = await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error'],
    app.dir,
    150_000,
  );
  log.push(`  install: ${install.code === 0 ? 'ok' : 'FAILED'} (${seconds(appStarted)})`);
  if (install.code !== 0)
    return { ...app, ok: false, log: [...log, indent(install.output)], time: seconds(appStarted) };
  // From the tarballs only: the installed packages must not be links into this repository.
  for (const name of ['@candescent/auth', '@candescent/sandbox']) {
    const installed = path.join(app.dir, 'node_modules', name, 'package.json');
    if (!existsSync(installed) || existsSync(path.join(app.dir, 'node_modules', name, 'src'))) {
      return {
        ...app,
        ok: false,
        log: [...log, `  ${name} is not installed from its tarball`],
        time: seconds(appStarted),
      };
    }
  }
  log.push(
    `  ioredis installed: ${existsSync(path.join(app.dir, 'node_modules/ioredis')) ? 'yes' : 'no (optional peer)'}`,
  );
  for (const step of STEPS) {
    if (!app.manifest.scripts?.[step]) continue;
    const stepStarted = Date.now();
    const result = await exec('npm', ['run', '--silent', step], app.dir, 90_000);
    log.push(`  ${step}: ${result.code === 0 ? 'ok' : 'FAILED'} (${seconds(stepStarted)})`);
    const shown = result.output.trim();
    if (shown) log.push(indent(shown));
    if (result.code !== 0) return { ...app, ok: false, log, time: seconds(appStarted) };
  }
  return { ...app, ok: true, log, time: seconds(appStarted) };
}

function indent(text) {
  return text
    .trim()
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');
}

/**
 * Where the scratch apps go: CONSUMERS_TMPDIR, else memory-backed /dev/shm when there is one.
 * The apps hold some 45,000 files; on a disk mounted with online discard, writing and removing
 * them takes minutes, on tmpfs seconds.
 */
function scratchBase() {
  if (process.env.CONSUMERS_TMPDIR) return process.env.CONSUMERS_TMPDIR;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

const workDir = mkdtempSync(path.join(scratchBase(), 'candescent-consumers-'));
console.log(`scratch apps in ${workDir}`);
let exitCode = 1;
try {
  buildPackages();
  const tarballs = packPackages(path.join(workDir, 'packages'));
  console.log(
    `packed ${Object.values(tarballs)
      .map((t) => path.basename(t))
      .join(', ')} (${seconds(started)})`,
  );
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : readdirSync(path.join(here, 'apps')).sort();
  const apps = names.map((name) => prepareApp(name, workDir, tarballs));
  // In parallel: the apps are independent and mostly wait on the registry and on child processes.
  const results = await Promise.all(apps.map(runApp));
  for (const result of results) {
    console.log(`\n[${result.ok ? 'PASS' : 'FAIL'}] ${result.name}: ${result.manifest.description} (${result.time})`);
    console.log(result.log.join('\n'));
  }
  const failed = results.filter((result) => !result.ok);
  console.log(
    `\nconsumer matrix: ${results.length - failed.length} of ${results.length} apps passed in ${seconds(started)}` +
      (failed.length ? `; failed: ${failed.map((r) => r.name).join(', ')}` : ''),
  );
  exitCode = failed.length === 0 ? 0 : 1;
} finally {
  if (process.env.KEEP_CONSUMERS === '1') console.log(`scratch apps kept in ${workDir}`);
  else {
    const cleanup = Date.now();
    rmSync(workDir, { recursive: true, force: true });
    console.log(`removed the scratch apps (${seconds(cleanup)}); total ${seconds(started)}`);
  }
}
process.exit(exitCode);
