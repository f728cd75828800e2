import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { setupSampleDocs } from '../docs/sample-docs';
import type { SampleEnvironment } from '../sample-config';
import { type SampleTelemetry, type SampleTelemetryHooks, startSampleTelemetry } from '../telemetry/sample-telemetry';

/**
 * The page's files live in `apps/sample/public`, outside the compiled tree, so the same lookup
 * works from the sources (tests) and from `dist/` (`npm start`): the nearest ancestor that has it.
 */
export function demoPageDirectory(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'sample', 'public');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`The demo page (apps/sample/public) was not found above ${from}.`);
  }
}

/**
 * What the sample serves besides its API: the demo page at `/`, the OpenAPI docs at `/docs`, and
 * (when enabled) OpenTelemetry export. Must run after the security headers and the body parser
 * and before the app initialises, so the middleware sits in front of the routes.
 * @returns where metrics are served (if here) and how to stop telemetry (after the app closed)
 */
export async function installSampleWeb(
  app: NestExpressApplication,
  environment: SampleEnvironment,
  telemetry?: SampleTelemetryHooks,
): Promise<SampleTelemetry> {
  const pageDirectory = demoPageDirectory();
  const started = await startSampleTelemetry(app, environment, telemetry);
  app.useStaticAssets(pageDirectory, { index: 'index.html', redirect: false, dotfiles: 'ignore' });
  setupSampleDocs(app);
  return started;
}
