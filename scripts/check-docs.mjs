// The documentation checks (`npm run docs:check`, also run by `npm test` through
// test/docs/docs-check.e2e-spec.ts):
//   links     every relative link of README.md, CONTRIBUTING.md and docs/*.md points at a file
//             that exists, and its #anchor at a heading of that file (GitHub's heading slugs)
//   snippets  every ```ts block of those files compiles, as a CommonJS app with
//             moduleResolution node16 sees the packages (the built ones, through the workspace
//             links: run `npm run build` first). Tagged blocks (```ts graphql) are compiled too:
//             this repository has every package they import. ```ts recipe blocks (a test file
//             of the reader's app) are left to the consumer matrix apps that run them.
// `--root <dir>` checks another tree (the checker's own tests use it); `links` or `snippets`
// runs one check alone. Exits 1 with one line per problem, `file:line: what`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { extractTsSnippets } from '../test/consumers/readme-snippets.mjs';
import { root as repositoryRoot } from './packages.mjs';

/** The Markdown files users and contributors read, relative to the root. */
export function documentationFiles(root) {
  const docs = existsSync(path.join(root, 'docs'))
    ? readdirSync(path.join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', 'CONTRIBUTING.md', ...docs].filter((file) => existsSync(path.join(root, file)));
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown) {
  const lines = [];
  let fence;
  markdown.split('\n').forEach((text, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text);
    if (marker) {
      if (fence === undefined) fence = marker[1];
      else if (marker[1].startsWith(fence[0]) && marker[1].length >= fence.length) fence = undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text });
  });
  return lines;
}

/** GitHub's anchor of a heading's text: formatting dropped, lower case, punctuation removed, spaces to hyphens. */
export function slugOf(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*_~](?=[^`*_~]*)/g, (char, offset, all) =>
      char === '_' && /\w/.test(all[offset - 1] ?? '') ? '_' : '',
    );
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats get -1, -2, ...). */
export function anchorsOf(markdown) {
  const anchors = new Set();
  const seen = new Map();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const slug = slugOf(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The relative links of a Markdown file, outside code: `{ line, target }`. */
function relativeLinks(markdown) {
  const links = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      links.push({ line, target });
    }
  }
  return links;
}

/** Problems with the relative links and anchors of the documentation under `root`. */
export function checkLinks(root) {
  const problems = [];
  const anchorCache = new Map();
  const anchorsIn = (file) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, 'utf8')));
    return anchorCache.get(file);
  };
  for (const file of documentationFiles(root)) {
    const absolute = path.join(root, file);
    for (const { line, target } of relativeLinks(readFileSync(absolute, 'utf8'))) {
      const [pathPart, anchor] = target.split('#', 2);
      const destination = pathPart ? path.resolve(path.dirname(absolute), decodeURIComponent(pathPart)) : absolute;
      if (!existsSync(destination)) {
        problems.push(`${file}:${line}: ${target}: no file ${path.relative(root, destination)}`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (statSync(destination).isDirectory() || !destination.endsWith('.md')) {
        problems.push(`${file}:${line}: ${target}: an anchor into something other than a Markdown file`);
        continue;
      }
      if (!anchorsIn(destination).has(anchor)) {
        problems.push(
          `${file}:${line}: ${target}: no heading with the anchor #${anchor} in ${path.relative(root, destination)}`,
        );
      }
    }
  }
  return problems;
}

/** Compiler settings of a CommonJS Nest app, strict, with decorator metadata as Nest needs it. */
const SNIPPET_OPTIONS = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  isolatedModules: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

/** Files the snippets import besides the packages: what "your @ObjectType() classes" are. */
const SNIPPET_SUPPORT = {
  'customer.model.ts': "export { Account, Customer } from '../../test/consumers/shared/graphql/customer.model';\n",
};

/** Problems compiling the ```ts blocks of the documentation under `root`, by Markdown line. */
export function checkSnippets(root) {
  const auth = path.join(repositoryRoot, 'libs/candescent-auth/dist/index.d.ts');
  if (!existsSync(auth)) return [`${path.relative(repositoryRoot, auth)} is missing: run \`npm run build\` first`];
  // Inside the repository, so the snippets resolve its node_modules (and the workspace links).
  const dir = path.join(repositoryRoot, 'dist', 'doc-snippets');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, code] of Object.entries(SNIPPET_SUPPORT)) writeFileSync(path.join(dir, name), code);
  const origins = new Map();
  for (const file of documentationFiles(root)) {
    const markdown = readFileSync(path.join(root, file), 'utf8');
    for (const { line, code, tag } of extractTsSnippets(markdown, '*', file)) {
      // A test-file recipe imports the reader's own app (`../src/app.module`): the consumer
      // matrix's testing-kit apps run it as their e2e suite instead.
      if (tag === 'recipe') continue;
      const snippet = path.join(dir, `${file.replace(/[/\\]/g, '-')}-line-${line}.ts`);
      writeFileSync(snippet, code);
      origins.set(snippet, { file, line });
    }
  }
  if (origins.size === 0) return [];
  const program = ts.createProgram([...origins.keys()], SNIPPET_OPTIONS);
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const source = diagnostic.file?.fileName && origins.get(path.resolve(diagnostic.file.fileName));
    if (!source || diagnostic.start === undefined) return `(snippets): ${message}`;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    // The block's code starts on the line after its fence.
    return `${source.file}:${source.line + 1 + line}: TS${diagnostic.code} ${message}`;
  });
  return problems;
}

function main() {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt === -1 ? repositoryRoot : path.resolve(args[rootAt + 1]);
  const which = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--root');
  const run = (name) => which.length === 0 || which.includes(name);
  const problems = [];
  let counted = '';
  if (run('links')) {
    const found = checkLinks(root);
    problems.push(...found);
    counted += `links of ${documentationFiles(root).length} files`;
  }
  if (run('snippets')) {
    problems.push(...checkSnippets(root));
    counted += `${counted ? ', ' : ''}TypeScript snippets`;
  }
  if (problems.length > 0) {
    console.error(`${problems.length} documentation problem${problems.length === 1 ? '' : 's'}:`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log(`documentation checked: ${counted}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
