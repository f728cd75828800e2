import 'reflect-metadata';
import { Expose, Transform, type TransformFnParams } from 'class-transformer';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { HTTP_DATE } from './token-error.codes';

/** Longest access or refresh token accepted; real ones are far shorter. */
const MAX_TOKEN_LENGTH = 4096;

// Tokens go into an Authorization header or a form body: visible ASCII only, so no whitespace,
// control characters or bytes a header cannot carry.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
// Number-like words that must be refused rather than replaced by a default lifetime.
const NUMBER_SENTINEL = /^[+-]?(?:nan|infinity)$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A number, or a string holding a decimal number, as a number; anything else unchanged. */
function toNumberIfNumeric(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return NUMERIC_TEXT.test(text) ? Number(text) : value;
}

/**
 * True when a lifetime field carries no usable number: absent, blank, or words such as `30m`.
 * `NaN` and `Infinity` count as present (and then fail validation): a default must never hide them.
 */
export function isLifetimeMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'string') return false;
  const text = value.trim();
  return text === '' || (!NUMERIC_TEXT.test(text) && !NUMBER_SENTINEL.test(text));
}

/**
 * Parses an absolute date in ISO 8601 or HTTP-date form (ms since epoch), or undefined. ISO
 * times without an offset are read as UTC, not as the server's local time.
 */
export function parseAbsoluteDate(value: string): number | undefined {
  const text = value.trim();
  const iso = ISO_DATE.exec(text);
  let withZone: string;
  if (iso) withZone = text.length > 10 && !iso[1] ? `${text.replace(' ', 'T')}Z` : text;
  else if (HTTP_DATE.test(text))
    withZone = text.endsWith('GMT') ? text : `${text} GMT`; // asctime
  else return undefined;
  const at = Date.parse(withZone);
  return Number.isFinite(at) ? at : undefined;
}

const emptyToUndefined = ({ value }: TransformFnParams): unknown =>
  value === '' || value === null ? undefined : (value as unknown);

const numberIfNumeric = ({ value }: TransformFnParams): unknown => toNumberIfNumeric(value);

/** Positive whole seconds, or (old spec) an absolute ISO/HTTP date string. */
function IsLifetimeOrDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLifetimeOrDate',
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'number' && Number.isInteger(value) && value > 0) ||
          (typeof value === 'string' && parseAbsoluteDate(value) !== undefined),
      },
    },
    options,
  );
}

/**
 * What each field must look like, for error messages that name the field but never its value.
 */
export const TOKEN_FIELD_EXPECTATIONS: Readonly<Record<string, string>> = {
  access_token: `a non-empty string of visible ASCII characters, at most ${MAX_TOKEN_LENGTH} long`,
  expires_in: 'a positive whole number of seconds',
  refresh_token: `a string of visible ASCII characters, at most ${MAX_TOKEN_LENGTH} long`,
  refresh_token_expires_in: 'a positive whole number of seconds or an ISO/HTTP date',
  token_type: '"Bearer"',
  di_fiid: 'a string',
  di_ficustomer: 'a string',
  di_member_number: 'a string',
};

/** Fields both token services return. Field names are the wire names (snake_case). */
export abstract class BaseTokenResponseDto {
  /** Opaque bearer token; never decoded. */
  @Expose()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  @Matches(VISIBLE_ASCII)
  access_token!: string;

  /** Lifetime in seconds; arrives as a string (XML, new spec) or a number (old spec). */
  @Expose()
  @Transform(numberIfNumeric)
  @IsInt()
  @IsPositive()
  expires_in!: number;

  /** Only for the password and refresh grants; rotates on every refresh. */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TOKEN_LENGTH)
  @Matches(VISIBLE_ASCII)
  refresh_token?: string;

  /** Seconds in the current spec; an absolute date string in an old one. */
  @Expose()
  @Transform((params) => numberIfNumeric({ ...params, value: emptyToUndefined(params) }))
  @IsOptional()
  @IsLifetimeOrDate()
  refresh_token_expires_in?: number | string;
}

/** The V1 (`/v1/oauth/token`) success body, XML `<token>` or its JSON form. No `token_type`. */
export class V1TokenResponseDto extends BaseTokenResponseDto {
  /** The FI id exactly as sent; leading zeros matter, so it must stay a string. */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  di_fiid?: string;

  /** Customer GUID (password grant). */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  di_ficustomer?: string;

  /** Member number (password grant); a string, never a number. */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  di_member_number?: string;
}

/** The V2 (`/oauth2/v1/token`) success body (JSON). */
export class V2TokenResponseDto extends BaseTokenResponseDto {
  /** `Bearer` in any letter case when present. */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Matches(/^bearer$/i)
  token_type?: string;
}
