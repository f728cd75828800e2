import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentRedisClient } from '../store/redis-client.interface';
import { redactWhenPrinted } from '../logging/redacted-when-printed';
import {
  type MergedCandescentAuthOptions,
  type ResolvedCandescentAuthOptions,
  type ResolvedCandescentInstitution,
  resolveInstitution,
  resolveOptions,
} from './candescent-auth.defaults';
import { CandescentInstitutionOptionsDto } from './institution-fields';
import { CandescentAuthModuleOptionsDto } from './module.options';
import { declaredOptions, expectedOf, isPlainObject, type OptionsClass, withDefaults } from './option.decorator';
import {
  crossFieldProblems,
  expected,
  institutionProblems,
  ownedObjectProblems,
  type Problem,
  redisSecurityFieldProblems,
  type Validity,
} from './option-problems';

const VALIDATION = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
} as const;

/** class-validator's errors as fields (`institutions[0].fiId`) with the words their declaration gives. */
function flatten(errors: ValidationError[], type: OptionsClass, prefix = ''): Problem[] {
  return errors.flatMap((error) => {
    // List entries read as `institutions[0]`, as an app would write the path.
    const field = /^\d+$/.test(error.property) ? `${prefix.slice(0, -1)}[${error.property}]` : prefix + error.property;
    const own = Object.keys(error.constraints ?? {});
    const problems: Problem[] = [];
    if (own.includes('whitelistValidation')) {
      problems.push({ field, expected: 'nothing: there is no such option; remove it or check its spelling' });
    } else if (own.length > 0) {
      problems.push({ field, expected: expectedOf(type, field) ?? 'a valid value' });
    }
    return problems.concat(flatten(error.children ?? [], type, `${field}.`));
  });
}

/**
 * The objects the app owns (its store, its Redis client, its login resolver), taken out of the
 * options at the paths the declaration marks `owned`: class-transformer would copy them into
 * plain objects, so they are checked by shape and passed on as they are.
 */
function takeOwned(type: OptionsClass, options: Record<string, unknown>, prefix = '') {
  const rest: Record<string, unknown> = {};
  const owned = new Map<string, unknown>();
  const problems: Problem[] = [];
  const declared = new Map(declaredOptions(type).map((option) => [option.name, option]));
  for (const [name, value] of Object.entries(options)) {
    const option = declared.get(name);
    if (option?.owned) {
      owned.set(`${prefix}${name}`, value);
      if (value !== undefined && !option.owned(value))
        problems.push({ field: `${prefix}${name}`, expected: option.expected ?? 'a valid value' });
    } else if (option?.nested && !option.nested.each && isPlainObject(value)) {
      const inner = takeOwned(option.nested.type(), value, `${prefix}${name}.`);
      rest[name] = inner.rest;
      inner.owned.forEach((ownedValue, path) => owned.set(path, ownedValue));
      problems.push(...inner.problems);
    } else rest[name] = value;
  }
  return { rest, owned, problems };
}

function configurationError(what: string, problems: Problem[]): CandescentConfigurationError {
  const lines = problems.map((p) => `  - ${p.field}: expected ${p.expected}`);
  return new CandescentConfigurationError(
    `Invalid ${what} (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${lines.join('\n')}`,
    problems,
  );
}

/**
 * Validates raw module options, the declared defaults merged in first. Throws one
 * `CandescentConfigurationError` that lists every bad field and what it must be; option values
 * are never part of the message, so a misplaced secret is not printed either.
 */
export function validateOptions(raw: unknown): ResolvedCandescentAuthOptions {
  if (!isPlainObject(raw)) {
    throw new CandescentConfigurationError(
      'Invalid CandescentAuthModule options: expected an object with baseUrl, consumerKey, consumerSecret and fiId.',
      [{ field: '(options)', expected: 'an object' }],
    );
  }
  const merged = withDefaults(CandescentAuthModuleOptionsDto, raw);
  const { rest, owned, problems: ownedProblems } = takeOwned(CandescentAuthModuleOptionsDto, merged);
  const options = plainToInstance(CandescentAuthModuleOptionsDto, rest);
  const errors = validateSync(options, { ...VALIDATION, forbidUnknownValues: true });
  const problems = flatten(errors, CandescentAuthModuleOptionsDto);
  const invalid = new Set(problems.map((p) => p.field));
  problems.push(...crossFieldProblems(options as unknown as MergedCandescentAuthOptions, invalid));
  problems.push(...ownedProblems, ...ownedObjectProblems(owned.get('store'), merged.redis, owned.get('redis.client')));
  if (isPlainObject(merged.redis)) {
    const found = new Set(problems.map((p) => p.field));
    problems.push(...redisSecurityFieldProblems({ ...merged.redis, client: owned.get('redis.client') }, found));
  }
  if (problems.length > 0) throw configurationError('CandescentAuthModule options', problems);
  const resolved = resolveOptions(options as unknown as MergedCandescentAuthOptions, {
    store: owned.get('store') as CandescentStore | undefined,
    redisClient: owned.get('redis.client') as CandescentRedisClient | undefined,
    loginInstitution: owned.get('loginInstitution') as ResolvedCandescentAuthOptions['loginInstitution'],
    http: owned.get('http') as ResolvedCandescentAuthOptions['http'],
  });
  const shown = { baseUrl: resolved.baseUrl, fiId: resolved.fiId, tokenServices: resolved.tokenServices };
  // The app's own object is a provider of the module too; printing it must not show the secret
  // either. Only non-enumerable printing hooks are added: its data is left as it is.
  if (Object.isExtensible(raw)) redactWhenPrinted(raw, 'CandescentAuthModuleOptions', shown);
  return redactWhenPrinted(resolved, 'CandescentAuthModuleOptions', shown);
}

/**
 * Validates one institution for `CandescentInstitutions` (`add`, `replace`) the way an
 * `institutions` entry is validated at start-up (the same declaration, defaults and words), the
 * module's defaults merged in. `idAllowed` says whether the id fits the change (new for `add`,
 * served for `replace`).
 */
export function validateInstitution(
  raw: unknown,
  options: ResolvedCandescentAuthOptions,
  idAllowed: (id: string) => boolean,
): ResolvedCandescentInstitution {
  const problems: Problem[] = [];
  const given = isPlainObject(raw)
    ? withDefaults(CandescentInstitutionOptionsDto, raw, options.institutionDefaults)
    : {};
  const institution = plainToInstance(CandescentInstitutionOptionsDto, given);
  if (!isPlainObject(raw)) problems.push({ field: '(institution)', expected: 'an object' });
  else {
    problems.push(...flatten(validateSync(institution, VALIDATION), CandescentInstitutionOptionsDto));
    const invalid = new Set(problems.map((p) => p.field));
    const valid: Validity = (...fields) => fields.every((f) => !invalid.has(f));
    problems.push(...institutionProblems(institution, '', valid));
    if (valid('id') && !idAllowed(institution.id))
      problems.push({
        field: 'id',
        expected: `${expected('institutions.id')}: a new one to add, a served one to replace`,
      });
  }
  if (problems.length > 0) throw configurationError('institution options', problems);
  return resolveInstitution(institution, options.institutionDefaults);
}
