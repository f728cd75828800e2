#!/usr/bin/env bash
# Proves the built library runs on Nest 12 (ESM-only, so not loadable by Jest on Node 20):
# installs Nest 12 into a scratch folder, copies the build there and boots a guarded app
# against the sandbox. Needs the npm registry; not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{ "name": "nest12-smoke", "private": true, "version": "0.0.0" }' >"$work/package.json"
(cd "$work" && npm install --no-audit --no-fund --silent \
  @nestjs/common@12 @nestjs/core@12 @nestjs/platform-express@12 @nestjs/axios@12 \
  axios rxjs reflect-metadata class-validator@0.14 class-transformer fast-xml-parser@5 lru-cache@11 ioredis@5 @opentelemetry/api)
cp -r dist/libs "$work/libs"
cp scripts/nest12-smoke.cjs "$work/"
(cd "$work" && node nest12-smoke.cjs "$work/libs")
