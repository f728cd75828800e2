// The public API reports (libs/*/etc/*.api.md), made by API Extractor from the built .d.ts files.
// `npm run api:check` (CI) fails when the public surface changed and the report was not updated;
// `npm run api:update` rewrites the reports, to be committed with the change.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
const configs = ['libs/candescent-auth', 'libs/candescent-sandbox'].flatMap((dir) =>
  readdirSync(path.join(root, dir))
    .filter((file) => /^api-extractor(\..+)?\.json$/.test(file))
    .map((file) => path.join(dir, file)),
);
let failed = 0;
for (const config of configs) {
  try {
    execFileSync('npx', ['api-extractor', 'run', '--config', config, ...(update ? ['--local'] : [])], {
      cwd: root,
      stdio: 'inherit',
    });
    console.log(`api report: ${config}: ${update ? 'written' : 'unchanged'}`);
  } catch {
    failed += 1;
    console.error(
      `api report: ${config}: the public API changed; run npm run api:update and commit libs/*/etc/*.api.md`,
    );
  }
}
process.exit(failed === 0 ? 0 : 1);
