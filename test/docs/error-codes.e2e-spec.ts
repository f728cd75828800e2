import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// docs/errors.md lists every error code and error class the library can answer with. The codes
// are read from the library's source (every `errorCode` it sets, the session refusals, the
// Candescent codes its classifier knows), so a code added there without a row here fails.

const ROOT = resolve(__dirname, '../..');
const SOURCE = join(ROOT, 'libs/candescent-auth/src');
const ERRORS_DOC = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

function sourceFiles(): { file: string; text: string }[] {
  return readdirSync(SOURCE, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && !/\.(spec|test-helper)\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((file) => ({ file: file.slice(ROOT.length + 1), text: readFileSync(file, 'utf8') }));
}

/** Codes the library sets: string literals on a line that sets or types an `errorCode`. */
function moduleCodes(): Set<string> {
  const codes = new Set<string>();
  for (const { text } of sourceFiles()) {
    for (const line of text.split('\n').filter((l) => /\berrorCode\b/.test(l))) {
      for (const [, code = ''] of line.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) codes.add(code);
    }
    // `SESSION_${reason.toUpperCase()}` over the CandescentSessionRejection union.
    const rejection = /export type (?:Candescent)?SessionRejection = ([^;]+);/.exec(text)?.[1];
    for (const [, reason = ''] of rejection?.matchAll(/'([a-z]+)'/g) ?? [])
      codes.add(`SESSION_${reason.toUpperCase()}`);
    if (text.includes('`UPSTREAM_${')) codes.add('UPSTREAM_<status>');
  }
  return codes;
}

/** Candescent's codes the token-error classifier recognises (its code sets). */
function upstreamCodes(): Set<string> {
  const text = readFileSync(join(SOURCE, 'token/token-error.codes.ts'), 'utf8');
  const codes = new Set<string>();
  for (const [, list = ''] of text.matchAll(/new Set(?:<string>)?\(\[([^\]]*)\]\)/g)) {
    for (const [, code = ''] of list.matchAll(/'([^']+)'/g)) codes.add(code);
  }
  return codes;
}

/** Exported error classes: every `export class Candescent...Error`. */
function errorClasses(): Set<string> {
  const names = new Set<string>();
  for (const { text } of sourceFiles()) {
    for (const [, name = ''] of text.matchAll(/export (?:abstract )?class (Candescent\w+Error)\b/g)) names.add(name);
  }
  names.delete('CandescentAuthError'); // the root, described above the table
  return names;
}

const documented = (name: string) => ERRORS_DOC.includes(`\`${name}\``);

describe('docs/errors.md', () => {
  it('lists every error code the library sets, with its status', () => {
    const codes = [...moduleCodes()].filter(
      (code) => !['USER_ERROR', 'SYSTEM_ERROR', 'STORE_ERROR', 'CONFIGURATION_ERROR'].includes(code),
    );
    expect(codes.length).toBeGreaterThan(25);
    expect(codes).toEqual(
      expect.arrayContaining(['SESSION_MISSING', 'SESSION_REMOVED', 'CIRCUIT_OPEN', 'UPSTREAM_<status>']),
    );
    // Each code has a table row: `| \`CODE\` | status |`.
    const rows = new Set([...ERRORS_DOC.matchAll(/^\| `([^`]+)`\s*\| (?:\d{3}|varies)\s*\|/gm)].map((m) => m[1]));
    expect(codes.filter((code) => !rows.has(code))).toEqual([]);
  });

  it('names every Candescent code the classifier recognises', () => {
    const codes = [...upstreamCodes()].filter((code) => /^(?:CMN_)?\d+$/.test(code));
    expect(codes.length).toBeGreaterThan(8);
    expect(codes.filter((code) => !documented(code))).toEqual([]);
  });

  it('describes every error class', () => {
    const classes = [...errorClasses()];
    expect(classes.length).toBeGreaterThan(12);
    expect(classes.filter((name) => !documented(name))).toEqual([]);
  });
});
