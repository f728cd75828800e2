// The public API reports (libs/*/etc/*.api.md), made by API Extractor from the built .d.ts files.
// `npm run api:check` (CI) fails when the public surface changed and the report was not updated;
// `npm run api:update` rewrites the reports, to be committed with the change. Both fail when a
// public signature names a type the entry point does not export (see below).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

// A type a public signature names must be exported too (ae-forgotten-export): otherwise apps
// cannot name it and the report cannot show it. An error for every symbol, in every entry point.
for (const dir of ['libs/candescent-auth/etc', 'libs/candescent-sandbox/etc']) {
  for (const file of readdirSync(path.join(root, dir)).filter((name) => name.endsWith('.api.md'))) {
    const report = readFileSync(path.join(root, dir, file), 'utf8');
    for (const [, symbol] of report.matchAll(/\(ae-forgotten-export\) The symbol "([^"]+)"/g)) {
      failed += 1;
      console.error(
        `api report: ${dir}/${file}: ${symbol} is named by the public API but not exported; export it or stop naming it`,
      );
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
