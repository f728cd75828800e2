// The consumer matrix (`npm run test:consumers`, run by .ci/run): packs both packages, installs
// ONLY those tarballs (plus registry packages) into fresh scratch apps in a temporary folder, and
// in each app runs its package.json scripts in this order, when it has them:
//   build     tsc (type-checks the app against the packed declarations, with skipLibCheck false
//             except in the apps shaped like `nest new`'s, which keep its true; typecheck-ts6 and
//             -ts7 check under TypeScript 6 and 7); an app with a readme/ folder in its tsconfig
//             gets the ```ts snippets of README.md, CONTRIBUTING.md and docs/*.md there (with `consumerMatrix.readmeSnippets`, the
//             blocks of those tags instead, ```ts graphql for "graphql"; files of its own in
//             readme/ stay, for what the snippets import)
//   start     boots a guarded app on the sandbox: login, outgoing call, logout (see shared/)
//   cli       the sandbox's `candescent-sandbox` bin
//   test      one test of the app that uses @candescent/auth/testing
//   test:e2e  the same, as a `nest new` app runs its e2e tests
// An app whose package.json names `consumerMatrix.readmeInstall` is installed as a user would:
// `npm install` of its own manifest (what `nest new` installs), then the README Install section's
// lines that contain those strings, run word for word, with only the tarball's path in place of
// @candescent/auth and @candescent/sandbox. `consumerMatrix.redis` points the app at a throwaway
// redis-server (CONSUMER_REDIS_URL; one for the run, each app under its own key prefix).
// Every app gets shared/ as its src/, without shared/graphql/ (resolvers and the GraphQL
// scenario) unless it names `consumerMatrix.graphql` and brings @nestjs/graphql and a driver.
// Nothing is cached between runs except npm's own download cache, which is keyed by content
// hash; the tarballs are packed afresh into a new folder each run. KEEP_CONSUMERS=1 keeps it.
// Every app in apps/ runs, or only those named as arguments:
// `npm run test:consumers -- nest11-two-institutions nest11-new-jest`.
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
import { createServer } from 'node:net';
import { buildPackages, packPackages, root } from '../../scripts/packages.mjs';
import { documentationFiles } from '../../scripts/check-docs.mjs';
import { extractInstallLines, extractTsSnippets, pickInstallLine } from './readme-snippets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const STEPS = ['build', 'start', 'cli', 'test', 'test:e2e'];
/** Installed versions the matrix prints for each app, when there. */
const SHOWN_VERSIONS = [
  '@nestjs/core',
  '@nestjs/axios',
  '@nestjs/graphql',
  '@apollo/server',
  'mercurius',
  'typescript',
  'ioredis',
  'jest',
  'vitest',
];
const README = readFileSync(path.join(root, 'README.md'), 'utf8');
/** Where the apps' snippets come from: README.md, CONTRIBUTING.md and docs/*.md. */
const DOCUMENTATION = documentationFiles(root);
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * Runs `task` when fewer than one step per core is running. The installs wait on the registry and
 * run all at once; the steps (tsc, the apps, their tests) want the CPU, and a step's timeout
 * should measure the step, not the others it shares two cores with.
 */
const stepSlots = { free: os.availableParallelism(), waiting: [] };
async function inStepSlot(task) {
  if (stepSlots.free > 0) stepSlots.free -= 1;
  else await new Promise((resolve) => stepSlots.waiting.push(resolve));
  try {
    return await task();
  } finally {
    const next = stepSlots.waiting.shift();
    if (next) next();
    else stepSlots.free += 1;
  }
}

/** Runs a command; resolves to its exit code and combined output, never rejects. */
function exec(command, args, cwd, timeoutMs, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true', ...env },
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
  const manifestPath = path.join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const sharedGraphql = path.join(here, 'shared', 'graphql');
  cpSync(path.join(here, 'shared'), path.join(dir, 'src'), {
    recursive: true,
    filter: (source) => manifest.consumerMatrix?.graphql === true || source !== sharedGraphql,
  });
  for (const field of ['dependencies', 'devDependencies']) {
    for (const dependency of Object.keys(manifest[field] ?? {})) {
      if (manifest[field][dependency] !== '<tarball>') continue;
      if (!tarballs[dependency]) throw new Error(`${name}: no tarball for ${dependency}`);
      manifest[field][dependency] = `file:${tarballs[dependency]}`;
    }
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  // The README's own lines, tarball paths in place of the package names; nothing else changes.
  let installLines = [];
  let readmeError;
  try {
    installLines = (manifest.consumerMatrix?.readmeInstall ?? []).map((selector) => {
      const { line, words } = pickInstallLine(extractInstallLines(README), selector);
      const args = words.slice(1).map((word) => (tarballs[word] ? tarballs[word] : word));
      return { line, shown: words.join(' '), args };
    });
  } catch (error) {
    readmeError = error.message;
  }
  if (readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').includes('"readme"')) {
    const tags = manifest.consumerMatrix?.readmeSnippets ?? [''];
    const snippets = DOCUMENTATION.flatMap((file) =>
      extractTsSnippets(readFileSync(path.join(root, file), 'utf8'), tags, file).map((snippet) => ({
        file,
        ...snippet,
      })),
    );
    if (snippets.length === 0) readmeError = `the documentation has no \`\`\`ts block tagged ${tags.join(' or ')}`;
    mkdirSync(path.join(dir, 'readme'), { recursive: true });
    for (const { file, line, code } of snippets) {
      writeFileSync(path.join(dir, 'readme', `${file.replace(/\//g, '-')}-line-${line}.ts`), code);
    }
    const kind = tags.filter(Boolean).join(', ');
    console.log(
      `${name}: ${snippets.length} TypeScript snippets${kind ? ` (${kind})` : ''} from ${DOCUMENTATION.join(', ')}`,
    );
  }
  return { name, dir, manifest, installLines, readmeError };
}

async function runApp(app) {
  const log = [];
  const appStarted = Date.now();
  if (app.readmeError) return { ...app, ok: false, log: [`  ${app.readmeError}`], time: seconds(appStarted) };
  const install = await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error'],
    app.dir,
    150_000,
  );
  log.push(`  install: ${install.code === 0 ? 'ok' : 'FAILED'} (${seconds(appStarted)})`);
  if (install.code !== 0)
    return { ...app, ok: false, log: [...log, indent(install.output)], time: seconds(appStarted) };
  for (const { line, shown, args } of app.installLines) {
    const lineStarted = Date.now();
    const result = await exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], app.dir, 150_000);
    log.push(`  README.md line ${line}: ${shown}: ${result.code === 0 ? 'ok' : 'FAILED'} (${seconds(lineStarted)})`);
    if (result.code !== 0)
      return { ...app, ok: false, log: [...log, indent(result.output)], time: seconds(appStarted) };
  }
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
  log.push(`  installed: ${installedVersions(app.dir)}`);
  const env = app.redisUrl ? { CONSUMER_REDIS_URL: app.redisUrl } : {};
  for (const step of STEPS) {
    if (!app.manifest.scripts?.[step]) continue;
    const { result, time } = await inStepSlot(async () => {
      const stepStarted = Date.now();
      const done = await exec('npm', ['run', '--silent', step], app.dir, 120_000, env);
      return { result: done, time: seconds(stepStarted) };
    });
    log.push(`  ${step}: ${result.code === 0 ? 'ok' : 'FAILED'} (${time})`);
    const shown = result.output.trim();
    if (shown) log.push(indent(shown));
    if (result.code !== 0) return { ...app, ok: false, log, time: seconds(appStarted) };
  }
  return { ...app, ok: true, log, time: seconds(appStarted) };
}

/** `name version` of each of SHOWN_VERSIONS installed in the app; ioredis is an optional peer. */
function installedVersions(dir) {
  return SHOWN_VERSIONS.map((name) => {
    const manifest = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return `${name} ${JSON.parse(readFileSync(manifest, 'utf8')).version}`;
    return name === 'ioredis' ? 'no ioredis (optional peer)' : undefined;
  })
    .filter(Boolean)
    .join(', ');
}

/** A throwaway redis-server on a free loopback port, without persistence; resolves once it answers. */
async function startRedis(workDir) {
  const port = await new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
  const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, [...args, '--dir', workDir, '--loglevel', 'warning'], { stdio: 'ignore' });
  const failed = new Promise((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot start ${binary} (${error.message}); Debian: apt-get install redis-server`)),
    );
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code} on port ${port}`)));
  });
  failed.catch(() => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pong = await Promise.race([failed, exec('redis-cli', ['-p', String(port), 'ping'], workDir, 2_000)]);
    if (pong.output.includes('PONG')) return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${binary} did not answer PING on port ${port} within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
let redis;
try {
  const known = readdirSync(path.join(here, 'apps')).sort();
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : known;
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`no consumer app named ${unknown.join(', ')} in test/consumers/apps; apps: ${known.join(', ')}`);
  }
  buildPackages();
  const tarballs = packPackages(path.join(workDir, 'packages'));
  console.log(
    `packed ${Object.values(tarballs)
      .map((t) => path.basename(t))
      .join(', ')} (${seconds(started)})`,
  );
  const apps = names.map((name) => prepareApp(name, workDir, tarballs));
  for (const app of apps) {
    for (const { line, shown } of app.installLines) console.log(`${app.name}: README.md line ${line}: ${shown}`);
    if (!app.manifest.consumerMatrix?.redis) continue;
    redis ??= await startRedis(workDir);
    app.redisUrl = redis.url;
    console.log(`${app.name}: sessions in the redis-server at ${redis.url}`);
  }
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
  redis?.stop();
  if (process.env.KEEP_CONSUMERS === '1') console.log(`scratch apps kept in ${workDir}`);
  else {
    const cleanup = Date.now();
    rmSync(workDir, { recursive: true, force: true });
    console.log(`removed the scratch apps (${seconds(cleanup)}); total ${seconds(started)}`);
  }
}
process.exit(exitCode);
