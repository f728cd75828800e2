import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Page } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium executable: `CHROMIUM_BIN`, or the first of the usual names on PATH. Never downloaded. */
export function chromiumBinary(): string | undefined {
  const candidates = process.env.CHROMIUM_BIN
    ? [process.env.CHROMIUM_BIN]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .flatMap((dir) => NAMES.map((name) => join(dir, name)));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `describe` for suites that drive a real Chromium. Without the binary the suite is skipped with
 * a loud notice, or fails when `REQUIRE_BROWSER=1` (CI), so a missing browser is never a silent pass.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (chromiumBinary()) {
    describe(name, fn);
    return;
  }
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(
      `REQUIRE_BROWSER=1 but no Chromium was found on PATH (or at CHROMIUM_BIN); install it (apt-get install chromium) to run "${name}"`,
    );
  }
  console.warn(
    `SKIPPED: no Chromium found on PATH (or at CHROMIUM_BIN); "${name}" did not run. Install it (apt-get install chromium) ` +
      'or set REQUIRE_BROWSER=1 to turn this into a failure.',
  );
  describe.skip(name, fn);
}

/** Where screenshots of a failed browser test go (gitignored). */
export const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'browser');

/**
 * Runs a browser test as named steps: each step is logged, and a screenshot is taken after it.
 * When a step fails, the screenshots so far and one of the failure are written to
 * test-artifacts/browser/<test>/, and the error says where.
 */
export async function inSteps(
  page: Page,
  test: string,
  body: (step: (name: string, fn: () => Promise<void>) => Promise<void>) => Promise<void>,
): Promise<void> {
  const shots: { name: string; png: Buffer }[] = [];
  let current = '';
  const step = async (name: string, fn: () => Promise<void>) => {
    current = name;
    const started = Date.now();
    await fn();
    console.log(`[browser] ${test} | step ${shots.length + 1}: ${name} - ok (${Date.now() - started} ms)`);
    shots.push({ name, png: await page.screenshot({ fullPage: true }) });
  };
  try {
    await body(step);
  } catch (error: unknown) {
    const dir = join(ARTIFACTS_DIR, test.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    mkdirSync(dir, { recursive: true });
    shots.forEach((shot, i) => {
      writeFileSync(join(dir, `${String(i + 1).padStart(2, '0')}-${slug(shot.name)}.png`), shot.png);
    });
    const failed = await page.screenshot({ fullPage: true }).catch(() => undefined);
    if (failed)
      writeFileSync(join(dir, `${String(shots.length + 1).padStart(2, '0')}-FAILED-${slug(current)}.png`), failed);
    console.log(`[browser] ${test} | step ${shots.length + 1}: ${current} - FAILED; screenshots in ${dir}`);
    throw error;
  }
}

function slug(name: string): string {
  return name
    .replace(/[^a-z0-9]+/gi, '-')
    .toLowerCase()
    .slice(0, 60);
}
