import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The documentation checks of scripts/check-docs.mjs, run by `npm test`: the repository's own
// documentation must pass them, and the checker must catch what it is for.

const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/check-docs.mjs');

function check(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the documentation (README.md, CONTRIBUTING.md, docs/)', () => {
  it('has no broken relative link or #anchor', () => {
    const { status, output } = check('links');
    expect({ status, output }).toEqual({
      status: 0,
      output: expect.stringContaining('documentation checked') as string,
    });
  });

  it('has TypeScript snippets that all compile against the built packages', () => {
    const { status, output } = check('snippets');
    expect({ status, output }).toEqual({
      status: 0,
      output: expect.stringContaining('documentation checked') as string,
    });
  }, 60_000);
});

describe('the link check', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'docs-check-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(
      join(root, 'README.md'),
      [
        '# Title',
        '',
        '## Your own `HttpService`: `attach()`',
        '## Behind a load balancer: `TRUST_PROXY`',
        "## The module's parts",
        '## 1. Register the module',
        '## Twice',
        '## Twice',
        '',
        'Good: [a](#your-own-httpservice-attach) [b](#behind-a-load-balancer-trust_proxy) [c](#the-modules-parts)',
        'Good: [d](#1-register-the-module) [e](#twice-1) [f](docs/guide.md#a-guide) [g](https://example.com/#x)',
        'Not a link: `[h](missing.md)`',
        '```md',
        '[i](missing-in-code.md)',
        '```',
        'Bad: [j](docs/missing.md) [k](#no-such-heading) [l](docs/guide.md#nowhere)',
      ].join('\n'),
    );
    writeFileSync(join(root, 'docs', 'guide.md'), '# A guide\n\n[back](../README.md#title) [up](../README.md#gone)\n');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('accepts GitHub heading slugs and fails on a missing file or anchor, naming the line', () => {
    const { status, output } = check('links', '--root', root);
    expect(status).toBe(1);
    const problems = output
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim());
    expect(problems).toEqual([
      'README.md:16: docs/missing.md: no file docs/missing.md',
      'README.md:16: #no-such-heading: no heading with the anchor #no-such-heading in README.md',
      'README.md:16: docs/guide.md#nowhere: no heading with the anchor #nowhere in docs/guide.md',
      'docs/guide.md:3: ../README.md#gone: no heading with the anchor #gone in README.md',
    ]);
  });
});
