// `npm run pack [-- <folder>]`: builds both packages from scratch and packs their tarballs into
// one folder (default dist/packages), ready for `npm install <tarball>` or `npm publish <tarball>`.
import path from 'node:path';
import { buildPackages, packPackages, root } from './packages.mjs';

const outDir = path.resolve(process.argv[2] ?? path.join(root, 'dist/packages'));
buildPackages();
for (const [name, tarball] of Object.entries(packPackages(outDir))) {
  console.log(`${name}: ${path.relative(process.cwd(), tarball) || tarball}`);
}
