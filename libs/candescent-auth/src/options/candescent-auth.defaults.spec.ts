import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';
import { DEFAULT_EXTRAS } from '../candescent-auth.module-definition';
import { CANDESCENT_AUTH_DEFAULTS } from './candescent-auth.defaults';
import { EXPECTED, validateOptions } from './validate-options';

/**
 * Each default is written once, in CANDESCENT_AUTH_DEFAULTS (and the module switches in
 * DEFAULT_EXTRAS); the `@default` tags of the options' TSDoc and the README's options table
 * repeat them for readers. These checks make a default changed or added in one place only fail
 * here, instead of leaving the documentation wrong.
 */

const ROOT = path.resolve(__dirname, '../../../..');
const OPTION_FILES = [
  'candescent-auth.options.ts',
  'session.options.ts',
  'redis.options.ts',
  'resilience.options.ts',
].map((file) => path.join(__dirname, file));
/** Where each options class sits in the options object. */
const CLASS_PATHS: Partial<Record<string, string>> = {
  CandescentAuthOptionsDto: '',
  CandescentInstitutionOptionsDto: 'institutions.',
  CandescentRetryOptionsDto: 'retry.',
  CandescentCircuitBreakerOptionsDto: 'circuitBreaker.',
  CandescentSessionOptionsDto: 'session.',
  CandescentRedisOptionsDto: 'redis.',
  CandescentRedisClusterOptionsDto: 'redis.cluster.',
  CandescentRedisTlsOptionsDto: 'redis.tls.',
  CandescentAuthModuleExtras: '',
};
/** Defaults computed from other options, so they have no single value to check. */
const COMPUTED = new Set([
  'institutionTokenService',
  // An institution's services and scopes default to the module's own.
  'institutions.tokenServices',
  'institutions.institutionTokenService',
  'institutions.scopes',
]);

type Value = string | number | boolean | readonly string[];

/** Every default by its path (`session.transport`), the module switches included. */
function expectedDefaults(): Map<string, Value> {
  const leaves = new Map<string, Value>();
  const walk = (node: object, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'object' && !Array.isArray(value)) walk(value as object, `${prefix}${key}.`);
      else leaves.set(`${prefix}${key}`, value as Value);
    }
  };
  walk(CANDESCENT_AUTH_DEFAULTS, '');
  walk(DEFAULT_EXTRAS, '');
  return leaves;
}

/** How the TSDoc and the README write a value. */
function written(value: Value): string {
  if (Array.isArray(value)) return `[${value.map((item) => `'${item}'`).join(', ')}]`;
  return String(value);
}

/** The literal a `@default` tag starts with, as the README writes it (quotes dropped). */
function tagLiteral(text: string): { literal?: string } {
  const match = /^('(?:[^'\\]|\\.)*'|\[[^\]]*\]|-?\d+(?:\.\d+)?|true|false)(?:\s|$)/.exec(text.trim());
  if (!match) return {};
  const raw = match[1];
  return { literal: raw.startsWith("'") ? raw.slice(1, -1) : raw };
}

/** Every option property and switch by path, with its `@default` tag text when it has one. */
function documentedOptions(): Map<string, string | undefined> {
  const tags = new Map<string, string | undefined>();
  const files = [...OPTION_FILES, path.join(__dirname, '../candescent-auth.module-definition.ts')];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild((node) => {
      if (!(ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) || !node.name) return;
      const prefix = CLASS_PATHS[node.name.text];
      const members = (node.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>).filter(
        (member) => ts.isPropertyDeclaration(member) || ts.isPropertySignature(member),
      );
      if (members.length === 0 || !/Options(Dto)?$|Extras$/.test(node.name.text)) return;
      if (prefix === undefined) throw new Error(`${node.name.text} holds options: add it to CLASS_PATHS`);
      for (const member of members) {
        const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
        tags.set(`${prefix}${member.name.getText(source)}`, tag && (ts.getTextOfJSDocComment(tag.comment) ?? ''));
      }
    });
  }
  return tags;
}

/** Splits a table cell on ` / ` and `, ` outside backticks. */
function items(cell: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < cell.length; i += 1) {
    const char = cell[i] ?? '';
    if (char === '`') quoted = !quoted;
    const separator = !quoted && (cell.startsWith(' / ', i) ? 3 : cell.startsWith(', ', i) ? 2 : 0);
    if (separator) {
      parts.push(current.trim());
      current = '';
      i += separator - 1;
    } else current += char;
  }
  return [...parts, current.trim()];
}

/** The README options table: each option named in it, with the default cell's text for it. */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Options\n'),
    readme.indexOf('\n## ', readme.indexOf('\n## Options\n') + 1),
  );
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  const defaults = new Map<string, string>();
  for (const row of rows) {
    const [names = '', given = ''] = row
      .split(/(?<!\\)\|/)
      .slice(1, 3)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
    const nameItems = items(names);
    const givenItems = items(given);
    if (givenItems.length !== 1 && givenItems.length !== nameItems.length)
      throw new Error(`README options row has ${nameItems.length} options but ${givenItems.length} defaults: ${names}`);
    const prefix = /^`([A-Za-z]+\.)/.exec(names)?.[1] ?? '';
    nameItems.forEach((item, index) => {
      for (const [, name = ''] of item.matchAll(/`([^`]+)`/g)) {
        defaults.set(
          name.includes('.') ? name : `${prefix}${name}`,
          givenItems[givenItems.length === 1 ? 0 : index] ?? '',
        );
      }
    });
  }
  return defaults;
}

describe('option defaults, written once', () => {
  const expected = expectedDefaults();

  it('documents each default in the TSDoc @default tag of its option, and no other', () => {
    const tags = new Map([...documentedOptions()].filter((entry): entry is [string, string] => entry[1] !== undefined));
    for (const [name, value] of expected) {
      expect({ name, tag: tagLiteral(tags.get(name) ?? '(no @default tag)').literal }).toEqual({
        name,
        tag: written(value),
      });
    }
    // A tag the object lacks is a default written only in the TSDoc (or one computed, listed above).
    for (const name of tags.keys()) {
      expect({ name, known: expected.has(name) || COMPUTED.has(name) }).toEqual({ name, known: true });
    }
  });

  it('has the words of the start-up error for every option', () => {
    const extras = new Set(Object.keys(DEFAULT_EXTRAS));
    const options = [...documentedOptions().keys()].filter((name) => !extras.has(name));
    expect(options.length).toBeGreaterThan(30);
    // An institution's fields share the words of the same fields at the top; its id has its own.
    const wordsOf = (name: string) => name.replace(/^institutions\.(?!id$)/, '');
    expect(options.filter((name) => !(wordsOf(name) in EXPECTED))).toEqual([]);
  });

  it("shows each default in the README's options table, and no default the code lacks", () => {
    const readme = readmeDefaults();
    for (const [name, value] of expected) {
      expect({ name, readme: /^`([^`]*)`/.exec(readme.get(name) ?? '(no row)')?.[1] }).toEqual({
        name,
        readme: written(value),
      });
    }
    for (const [name, text] of readme) {
      const stated = text.startsWith('`');
      expect({ name, known: !stated || expected.has(name) || COMPUTED.has(name) }).toEqual({ name, known: true });
    }
  });

  it('is what validateOptions fills in', () => {
    const resolved = validateOptions({
      baseUrl: 'https://api.candescent.com',
      consumerKey: 'key',
      consumerSecret: 'secret',
      fiId: '00042',
      redis: { url: 'redis://127.0.0.1:6379', encryptionKey: Buffer.alloc(32, 7).toString('base64') },
    });
    const { appName, appVersion, legacyPathPattern, redis, ...rest } = CANDESCENT_AUTH_DEFAULTS;
    expect(resolved).toMatchObject(rest);
    expect(resolved.userAgent).toBe(`${appName}/${appVersion}`);
    expect(resolved.legacyPathPattern.source).toBe(new RegExp(legacyPathPattern).source);
    expect(resolved.redis?.keyPrefix).toBe(redis.keyPrefix);
    // The app's lists are its own, and the defaults' are never handed out to be changed.
    expect(resolved.tokenServices).not.toBe(CANDESCENT_AUTH_DEFAULTS.tokenServices);
  });
});
