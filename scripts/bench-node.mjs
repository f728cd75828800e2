#!/usr/bin/env node
// Runs a bench entry point on Node 24, the Node the published numbers are for (users run 24;
// Node 20 is past end of life), whatever `node` started npm. The bench starts every child (apps,
// backend, burners) with its own process.execPath, so all of it runs on the Node picked here:
//   BENCH_NODE=/path/to/node   that one, as given;
//   else the running Node when it is 24 or later;
//   else .ci/.tools/node24 (installed there first by `bash .ci/install-nodes 24` when missing).
// Usage: node scripts/bench-node.mjs <script.js> [args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/bench-node.mjs <script.js> [args...]');
  process.exit(2);
}

function pickNode() {
  if (process.env.BENCH_NODE) return process.env.BENCH_NODE;
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const installed = join(root, '.ci/.tools/node24/node_modules/.bin/node');
  if (!existsSync(installed)) {
    console.log(`Node ${process.version} runs npm; installing Node 24 into .ci/.tools for the bench.`);
    const install = spawnSync('bash', [join(root, '.ci/install-nodes'), '24'], { stdio: 'inherit' });
    if (install.status !== 0) {
      console.error('Could not install Node 24; set BENCH_NODE to a Node 24 binary.');
      process.exit(1);
    }
  }
  return installed;
}

const node = pickNode();
const run = spawnSync(node, [script, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
