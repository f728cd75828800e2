import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  validateSync,
} from 'class-validator';
import type { CandescentInstitutionOptions } from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/auth/testing';

/** `CANDESCENT_LOGIN_SERVICE`, and an institution's `loginService`. */
export type SampleLoginService = 'v1' | 'v2' | 'both';

/** One entry of `CANDESCENT_INSTITUTIONS`. */
export class SampleInstitutionEntry {
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
  id!: string;

  @IsString()
  @Matches(/^[0-9A-Za-z]{1,20}$/)
  fiId!: string;

  @IsString()
  @IsNotEmpty()
  baseUrl!: string;

  @IsString()
  @IsNotEmpty()
  consumerKey!: string;

  @IsString()
  @IsNotEmpty()
  consumerSecret!: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(['v1', 'v2'], { each: true })
  tokenServices?: Array<'v1' | 'v2'>;

  @IsOptional()
  @IsIn(['v1', 'v2', 'both'])
  loginService?: SampleLoginService;
}

const FIELDS = Object.keys(new SampleInstitutionEntry());

/** What each field must be, in the error; values are never repeated (a secret may be among them). */
const EXPECTED: Record<string, string> = {
  id: 'required: the app\'s name for the institution, 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. "cu-north")',
  fiId: 'required: the FI id as a JSON string, leading zeros kept (e.g. "00042"), letters and digits only',
  baseUrl: 'required: the FI\'s Candescent gateway URL, e.g. "https://api.candescent.com"',
  consumerKey: "required: the app's consumer key at this FI, a non-empty string",
  consumerSecret: "required: the app's consumer secret at this FI, a non-empty string",
  tokenServices: '["v1"], ["v2"] or ["v1", "v2"]',
  loginService: '"v1", "v2" or "both" (as CANDESCENT_LOGIN_SERVICE)',
};

const EXAMPLE =
  '[{"id":"cu-north","fiId":"00042","baseUrl":"https://...","consumerKey":"...","consumerSecret":"..."}, ...]';

/** `CANDESCENT_INSTITUTIONS` read: the entries when it is valid, else every problem found. */
export interface SampleInstitutionsReading {
  institutions: SampleInstitutionEntry[];
  problems: string[];
}

/**
 * Reads `CANDESCENT_INSTITUTIONS`, a JSON array of institutions, the first the default. Every
 * problem is listed, naming the entry and field (`CANDESCENT_INSTITUTIONS[1].fiId`), never a value.
 */
export function readSampleInstitutions(value: string): SampleInstitutionsReading {
  const name = 'CANDESCENT_INSTITUTIONS';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a secret.
    return { institutions: [], problems: [`${name}: not valid JSON; expected an array such as ${EXAMPLE}`] };
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    return {
      institutions: [],
      problems: [
        `${name}: expected a JSON array of one or more institutions (the first is the default), e.g. ${EXAMPLE}`,
      ],
    };
  }
  const problems: string[] = [];
  const institutions: SampleInstitutionEntry[] = [];
  const firstWithId = new Map<string, number>();
  parsed.forEach((raw: unknown, index) => {
    const at = `${name}[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(
        `${at}: expected an object {id, fiId, baseUrl, consumerKey, consumerSecret, tokenServices?, loginService?}`,
      );
      return;
    }
    const entry = plainToInstance(SampleInstitutionEntry, raw);
    const entryProblems = entryProblemsOf(entry, raw, at);
    problems.push(...entryProblems);
    if (typeof entry.id === 'string') {
      const first = firstWithId.get(entry.id);
      if (first === undefined) firstWithId.set(entry.id, index);
      else problems.push(`${at}.id: already the id of ${name}[${first}]; each institution needs an id of its own`);
    }
    if (entryProblems.length === 0) institutions.push(entry);
  });
  return { institutions: problems.length === 0 ? institutions : [], problems };
}

function entryProblemsOf(entry: SampleInstitutionEntry, raw: object, at: string): string[] {
  const problems = validateSync(entry, { validationError: { target: false, value: false } }).map(
    (error) => `${at}.${error.property}: ${EXPECTED[error.property] ?? 'not valid'}`,
  );
  for (const key of Object.keys(raw).filter((key) => !FIELDS.includes(key))) {
    // A misspelt field would otherwise be dropped without a word. Names are shown, values never.
    const shown = /^[\x21-\x7e]{1,40}$/.test(key) ? `"${key}"` : 'a field';
    problems.push(`${at}: ${shown} is not a known field; the fields are ${FIELDS.join(', ')}`);
  }
  if (typeof entry.baseUrl === 'string' && entry.baseUrl !== '' && !isHttpUrl(entry.baseUrl))
    problems.push(`${at}.baseUrl: ${EXPECTED.baseUrl} (an absolute http or https URL)`);
  if (entry.tokenServices !== undefined && entry.loginService !== undefined)
    problems.push(`${at}: give tokenServices or loginService, not both`);
  return problems;
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

/** The module's `tokenServices` from `CANDESCENT_LOGIN_SERVICE` or an institution's `loginService`. */
export function tokenServicesFrom(login: SampleLoginService | undefined): Array<'v1' | 'v2'> {
  return login === 'both' ? ['v1', 'v2'] : [login ?? 'v2'];
}

/**
 * An entry as the module takes it. Without `tokenServices` or `loginService` it uses the
 * module's (`CANDESCENT_LOGIN_SERVICE`).
 */
export function moduleInstitutionFrom(entry: SampleInstitutionEntry): CandescentInstitutionOptions {
  const services = entry.tokenServices ?? (entry.loginService ? tokenServicesFrom(entry.loginService) : undefined);
  return {
    id: entry.id,
    fiId: entry.fiId,
    baseUrl: entry.baseUrl,
    consumerKey: entry.consumerKey,
    consumerSecret: entry.consumerSecret,
    ...(services ? { tokenServices: services } : {}),
  };
}

/** The ids the sample gives the sandbox's demo FIs (any other FI is `fi-<fiId>`). */
export const DEMO_INSTITUTION_IDS: Readonly<Record<string, string>> = Object.freeze({
  '00042': 'cu-north',
  '00043': 'cu-harbor',
});

/** `CANDESCENT_INSTITUTIONS` for the embedded sandbox: every FI it serves, on its one origin. */
export function embeddedInstitutions(sandbox: CandescentSandbox): SampleInstitutionEntry[] {
  return sandbox.institutions.map((institution) =>
    Object.assign(new SampleInstitutionEntry(), {
      id: DEMO_INSTITUTION_IDS[institution.fiId] ?? `fi-${institution.fiId}`,
      fiId: institution.fiId,
      baseUrl: sandbox.url,
      consumerKey: institution.consumerKey,
      consumerSecret: institution.consumerSecret,
    }),
  );
}
