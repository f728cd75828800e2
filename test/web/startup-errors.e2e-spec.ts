import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SAMPLE_MAIN = join(resolve(__dirname, '../..'), 'dist/apps/sample/src/main.js');

/** Runs the built sample (npm run build first) in an empty folder, so no .env is read. */
function runSample(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'candescent-startup-'));
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SAMPLE_MAIN],
      { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', PORT: '0', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        done({ code: typeof error?.code === 'number' ? error.code : 0, output: stdout + stderr });
      },
    );
  });
}

describe('an invalid configuration at start-up', () => {
  it('is printed once, without an object dump of an HTTP status, and stops the app', async () => {
    const { code, output } = await runSample({
      CANDESCENT_BASE_URL: 'http://gateway.example:notaport',
      CANDESCENT_CONSUMER_KEY: 'key',
      CANDESCENT_CONSUMER_SECRET: 'secret-never-printed-7Q',
      CANDESCENT_FIID: '00042',
    });
    expect(code).toBe(1);
    expect(output.split('baseUrl: expected the FI gateway URL')).toHaveLength(2);
    expect(output).not.toMatch(/statusCode|Internal Server Error/);
    expect(output).not.toContain('secret-never-printed-7Q');
  });
});
