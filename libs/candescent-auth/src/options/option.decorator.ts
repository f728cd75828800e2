import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';

/** An options class (`CandescentSessionOptionsDto`): what `@Option` and `@Nested` declare on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor: the classes take no arguments
export type OptionsClass = abstract new (...args: any[]) => object;

/** What a default is computed from: the options object the option sits in, and the one around it. */
export type DefaultFrom = (group: Record<string, unknown>, parent: Record<string, unknown> | undefined) => unknown;

/**
 * One option's declaration beside its property. Exactly one of `default`, `optional` and
 * `required` says whether it may be left out (a test checks every option has one).
 */
export interface OptionSpec {
  /** Merged in before validation when the option is left out: a value, or computed from the options around it. */
  default?: unknown;
  /** What a computed default is, as the options reference shows it. */
  defaultText?: string;
  /** May be left out; nothing stands in for it. */
  optional?: true;
  /** Must be given; a string is the condition, as the options reference shows it (`'unless institutions is given'`). */
  required?: true | string;
  /** What the option must be, in the words of the start-up error (values are never shown). */
  expected?: string;
  /** Checked by shape and handed over as it is (an object the app owns: its store, its Redis client). */
  owned?: (value: unknown) => boolean;
  /** Left out of its group's `an object { ... }` words. */
  deprecated?: true;
}

/** One option as declared, with where its class comes from when it is a group of options. */
export interface DeclaredOption extends OptionSpec {
  name: string;
  /** A nested group (`retry`, `session`) or list of them (`institutions`). */
  nested?: { type: () => OptionsClass; each: boolean };
}

const DECLARED = new WeakMap<object, Map<string, DeclaredOption>>();

function declare(target: object, name: string, spec: Partial<DeclaredOption>): void {
  const own = DECLARED.get(target) ?? new Map<string, DeclaredOption>();
  DECLARED.set(target, own);
  own.set(name, { ...own.get(name), ...spec, name });
}

const presenceOf = (spec: OptionSpec) =>
  'default' in spec ? 'default' : spec.optional ? 'optional' : spec.required ? 'required' : undefined;

/**
 * Declares an option of an options class: its default (merged in before validation), whether it
 * may be left out, and the words of the start-up error. Its type and TSDoc are the property's;
 * class-validator decorators beside it say what it must be. May be applied twice (a shared
 * decorator such as `InstitutionFields` giving the words, the property its default).
 */
export function Option(spec: OptionSpec): PropertyDecorator {
  return (target, key) => {
    declare(target, String(key), spec);
    if (presenceOf(spec) === 'default' || presenceOf(spec) === 'optional') IsOptional()(target, key);
  };
}

/** Declares an option that is a group of options (`retry`) or, with `each`, a list of them (`institutions`). */
export function Nested(
  type: () => OptionsClass,
  spec: OptionSpec & { each?: boolean } = { default: {} },
): PropertyDecorator {
  const { each = false, ...rest } = spec;
  return (target, key) => {
    declare(target, String(key), { ...rest, nested: { type, each } });
    applyDecorators(
      ...(presenceOf(rest) === 'required' ? [] : [IsOptional()]),
      ValidateNested({ each }),
      Type(type),
    )(target, key);
  };
}

/** Every option declared on `type`, in the order of the class. */
export function declaredOptions(type: OptionsClass): DeclaredOption[] {
  return [...(DECLARED.get(type.prototype as object)?.values() ?? [])];
}

/** Whether an option is declared with a default, as optional, or as required (the marker every option needs). */
export function presence(option: DeclaredOption): 'default' | 'optional' | 'required' | undefined {
  return presenceOf(option);
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object the app owns, told by the methods the module calls on it. */
export const hasMethods = (value: unknown, names: readonly string[]): boolean =>
  isPlainObject(value) && names.every((name) => typeof value[name] === 'function');

/**
 * `given` with every declared default of `type` merged in, at every depth: what is validated.
 * Values given are kept as they are (a wrong one is for validation to name); keys `type` does
 * not declare are kept too, so validation names them. Lists are copied, so the module never
 * shares one with the app or the defaults. `parent` is the options object around `given`
 * (an `institutions` entry's defaults are the module's).
 */
export function withDefaults(
  type: OptionsClass,
  given: Record<string, unknown>,
  parent?: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...given };
  // Options first, groups after: a group's defaults may be read from the options around it.
  const options = declaredOptions(type);
  for (const option of [...options.filter((o) => !o.nested), ...options.filter((o) => o.nested)]) {
    let value = merged[option.name];
    if (value === undefined && 'default' in option) {
      value = typeof option.default === 'function' ? (option.default as DefaultFrom)(merged, parent) : option.default;
    }
    if (option.nested && !option.nested.each && isPlainObject(value))
      value = withDefaults(option.nested.type(), value, merged);
    if (option.nested?.each && Array.isArray(value)) {
      const entryType = option.nested.type();
      value = value.map((entry: unknown) => (isPlainObject(entry) ? withDefaults(entryType, entry, merged) : entry));
    } else if (Array.isArray(value)) value = [...(value as unknown[])];
    if (value !== undefined) merged[option.name] = value;
  }
  return merged;
}

/** The defaults of `type` alone (what an empty options object becomes), for readers and tests. */
export function declaredDefaults(type: OptionsClass): Record<string, unknown> {
  return withDefaults(type, {});
}

/**
 * The words of the start-up error for `field` (`session.idleTimeoutMs`, `institutions[2].fiId`),
 * found by walking the declaration from `type`. A group declared without words of its own reads
 * `an object { its options }`.
 */
export function expectedOf(type: OptionsClass, field: string): string | undefined {
  const [name = '', ...rest] = field.replace(/\[\d+\]/g, '').split('.');
  const option = declaredOptions(type).find((candidate) => candidate.name === name);
  if (!option) return undefined;
  if (rest.length > 0) return option.nested ? expectedOf(option.nested.type(), rest.join('.')) : undefined;
  if (option.expected !== undefined || !option.nested) return option.expected;
  const listed = declaredOptions(option.nested.type()).filter((o) => !o.deprecated);
  return `an object { ${listed.map((o) => o.name).join(', ')} }`;
}
