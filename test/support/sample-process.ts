import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from './app-testing';

const ROOT = resolve(__dirname, '../..');
/** The sample app as `npm start` runs it: the build of apps/sample and the packages it imports. */
const SAMPLE_MAIN = join(ROOT, 'dist/apps/sample/src/main.js');
const START_TIMEOUT_MS = 20_000;

/** The sample app running in a Node process of its own (a separate instance of a fleet). */
export interface SampleProcess {
  readonly url: string;
  readonly client: Client;
  /** What the process printed so far (its log), the last 1 MB. */
  output(): string;
  /** Stops it with SIGTERM (the app's shutdown hooks run) and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/apps/sample/src/main.js` with `env` (nothing inherited but PATH) on a free
 * port, in an empty working directory (so no `.env` file is read), and waits until it listens.
 * Needs `npm run build` first, as CI does; a build older than the sources is refused, so a
 * suite never tests yesterday's code.
 */
export async function startSampleProcess(env: Record<string, string>): Promise<SampleProcess> {
  assertFreshBuild();
  const cwd = mkdtempSync(join(tmpdir(), 'candescent-sample-'));
  const child = spawn(process.execPath, [SAMPLE_MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', PORT: '0', SESSION_TRANSPORT: 'bearer', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-1_000_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      done();
    }),
  );
  try {
    const url = await listeningUrl(child, () => output);
    return {
      url,
      client: new Client(url),
      output: () => output,
      stop: async () => {
        await stopChild(child, exited);
        rmSync(cwd, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(child, exited);
    rmSync(cwd, { recursive: true, force: true });
    throw error;
  }
}

async function listeningUrl(child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = /Sample app listening on (http:\/\/\S+)/.exec(output());
    if (match?.[1]) return match[1];
    if (child.exitCode !== null) throw new Error(`the sample app exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline)
      throw new Error(`the sample app did not listen within ${START_TIMEOUT_MS} ms:\n${output()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(force);
}

/** Each source tree and the build info its `tsc -b` project rewrites on every build. */
const BUILDS: Array<{ source: string; buildInfo: string }> = [
  { source: 'libs/candescent-auth/src', buildInfo: 'libs/candescent-auth/dist/.tsbuildinfo' },
  { source: 'libs/candescent-sandbox/src', buildInfo: 'libs/candescent-sandbox/dist/.tsbuildinfo' },
  { source: 'apps/sample/src', buildInfo: 'dist/.tsbuildinfo' },
];

/**
 * Refuses to run against a missing build, or one older than a source it builds from: the check
 * `tsc -b` makes itself (the newest input against the project's build info; outputs whose
 * content did not change keep their old time, so they cannot tell).
 */
function assertFreshBuild(): void {
  if (!existsSync(SAMPLE_MAIN)) {
    throw new Error(`${SAMPLE_MAIN} is missing: run \`npm run build\` before this suite (CI does).`);
  }
  const stale = BUILDS.flatMap(({ source, buildInfo }) => {
    const info = join(ROOT, buildInfo);
    const builtAt = existsSync(info) ? statSync(info).mtimeMs : 0;
    return readdirSync(join(ROOT, source), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && !/\.(spec|test-helper)\.ts$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => statSync(file).mtimeMs > builtAt)
      .map((file) => file.slice(ROOT.length + 1));
  });
  if (stale.length > 0) {
    throw new Error(
      `The build is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ' and more' : ''}: run \`npm run build\` before this suite.`,
    );
  }
}
