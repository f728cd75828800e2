import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithBinary, findBinary, type SystemBinary } from '../support/system-binary';
import type { Page } from 'playwright-core';

const CHROMIUM: SystemBinary = {
  label: 'Chromium',
  names: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
  pathVariable: 'CHROMIUM_BIN',
  requireVariable: 'REQUIRE_BROWSER',
  debianPackage: 'chromium',
};

/** The Chromium executable: `CHROMIUM_BIN`, or the first of the usual names on PATH. Never downloaded. */
export function chromiumBinary(): string | undefined {
  return findBinary(CHROMIUM);
}

/** `describe` for suites that drive a real Chromium; see {@link describeWithBinary}. */
export function describeBrowser(name: string, fn: () => void): void {
  describeWithBinary(CHROMIUM, name, fn);
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
