import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { IsInt, Max, Min, validateSync } from 'class-validator';
import { DEFAULT_EXTRAS } from '../candescent-auth.module-definition';
import { CANDESCENT_AUTH_DEFAULTS } from './candescent-auth.defaults';
import { CandescentAuthModuleOptionsDto } from './module.options';
import {
  declaredDefaults,
  declaredOptions,
  expectedOf,
  Option,
  type OptionsClass,
  presence,
  withDefaults,
} from './option.decorator';
import { validateOptions } from './validate-options';

/**
 * Each option is declared once (module.options.ts says how); these checks walk the declaration.
 * An option added later is one declaration plus the test of what it does: these tests then
 * name whatever it lacks.
 */

const ROOT = path.resolve(__dirname, '../../../..');
const reference = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/options-reference.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

/** Every declared option by its path (`session.idleTimeoutMs`, `institutions[].fiId`), walking the groups. */
function walk(type: OptionsClass, prefix = '', seen = new Map<string, ReturnType<typeof declaredOptions>[number]>()) {
  for (const option of declaredOptions(type)) {
    const at = `${prefix}${option.name}`;
    seen.set(at, option);
    if (option.nested) walk(option.nested.type(), `${at}${option.nested.each ? '[]' : ''}.`, seen);
  }
  return seen;
}

interface ReadGroup {
  paths: string[];
  options: Array<{ name: string; doc: string }>;
}

describe('the options declaration', () => {
  const declared = walk(CandescentAuthModuleOptionsDto);

  it('gives every option one default-or-optional-or-required marker and the words of the start-up error', () => {
    expect(declared.size).toBeGreaterThan(50);
    for (const [at, option] of declared) {
      const markers = ['default' in option, option.optional === true, option.required !== undefined];
      // Words are looked up by path through the groups, as the start-up error names a field.
      const words = expectedOf(CandescentAuthModuleOptionsDto, at.replace(/\[\]/g, ''));
      expect({
        at,
        markers: markers.filter(Boolean).length,
        marked: presence(option) !== undefined,
        words: Boolean(words),
      }).toEqual({
        at,
        markers: 1,
        marked: true,
        words: true,
      });
    }
  });

  it('documents every option: the TSDoc the reference is written from, for each option the run time declares', () => {
    const groups = JSON.parse(reference('--json')) as ReadGroup[];
    const documented = new Map<string, string>();
    for (const group of groups)
      for (const path of group.paths)
        for (const option of group.options) documented.set(`${path}${option.name}`, option.doc);
    expect([...declared.keys()].filter((at) => !documented.get(at))).toEqual([]);
    // ...and nothing documented that the run time does not declare (a property without @Option).
    expect([...documented.keys()].filter((at) => !declared.has(at))).toEqual([]);
  });

  it('has written docs/options.md and the public interfaces from the declaration as it is now', () => {
    expect(() => reference('--check')).not.toThrow();
  });

  it('shows the module switches with the defaults the module uses', () => {
    const written = readFileSync(path.join(ROOT, 'docs/options.md'), 'utf8');
    for (const [name, value] of Object.entries(DEFAULT_EXTRAS)) {
      const shown = typeof value === 'string' ? `'${value}'` : String(value);
      const row = written.split('\n').find((line) => line.startsWith(`| \`${name}\` `)) ?? '(no row)';
      expect({ name, default: row.split(/(?<!\\)\|/)[3]?.trim() }).toEqual({ name, default: `\`${shown}\`` });
    }
  });

  it('is what validateOptions merges in, before validating', () => {
    const resolved = validateOptions({
      baseUrl: 'https://api.candescent.com',
      consumerKey: 'key',
      consumerSecret: 'secret',
      fiId: '00042',
      redis: { url: 'redis://127.0.0.1:6379', encryptionKey: Buffer.alloc(32, 7).toString('base64') },
    });
    const { appName, appVersion, legacyPathPattern, retry, session, circuitBreaker, ...rest } =
      CANDESCENT_AUTH_DEFAULTS;
    expect(resolved).toMatchObject({ ...rest, retry, session });
    expect(resolved.circuitBreaker).toEqual({ ...circuitBreaker, minimumCalls: 10 });
    expect(resolved.userAgent).toBe(`${appName}/${appVersion}`);
    expect(resolved.legacyPathPattern.source).toBe(new RegExp(legacyPathPattern).source);
    expect(resolved.redis?.keyPrefix).toBe('candescent:');
    // The app's lists are its own, and the defaults' are never handed out to be changed.
    expect(resolved.tokenServices).not.toBe(CANDESCENT_AUTH_DEFAULTS.tokenServices);
  });

  it('makes an option one declaration: its default, its validation and its words follow from it', () => {
    class Example {
      /** How many of something. */
      @Option({ default: 5, expected: 'a whole number from 1 to 9' })
      @IsInt()
      @Min(1)
      @Max(9)
      size?: number;
    }
    expect(declaredDefaults(Example)).toEqual({ size: 5 });
    expect(expectedOf(Example, 'size')).toBe('a whole number from 1 to 9');
    const check = (given: Record<string, unknown>) =>
      validateSync(plainToInstance(Example, withDefaults(Example, given))).map((error) => error.property);
    expect(check({})).toEqual([]);
    expect(check({ size: 12 })).toEqual(['size']);
  });
});
