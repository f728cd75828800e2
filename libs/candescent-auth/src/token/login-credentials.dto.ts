import 'reflect-metadata';
import { IsNotEmpty, IsString, Matches, MaxLength, validateSync } from 'class-validator';
import { CandescentInvalidRequestError } from '../errors/candescent-auth.error';

/** No C0/C1 control characters or DEL anywhere (they are rejected upstream as well). */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** Longest accepted username, in characters. */
export const MAX_USERNAME_LENGTH = 128;
/** Longest accepted password, in characters. */
export const MAX_PASSWORD_LENGTH = 256;

/** A retail customer's online banking credentials, for the password grant. */
export class CandescentLoginCredentials {
  /** The customer's online banking login id. */
  @IsString({ message: 'username must be a string' })
  @IsNotEmpty({ message: 'username is required' })
  @MaxLength(MAX_USERNAME_LENGTH, { message: `username must be at most ${MAX_USERNAME_LENGTH} characters` })
  @Matches(NO_CONTROL_CHARACTERS, { message: 'username must not contain control characters' })
  username!: string;

  /** The customer's password: sent once to Candescent, never stored, never logged. */
  @IsString({ message: 'password must be a string' })
  @IsNotEmpty({ message: 'password is required' })
  @MaxLength(MAX_PASSWORD_LENGTH, { message: `password must be at most ${MAX_PASSWORD_LENGTH} characters` })
  @Matches(NO_CONTROL_CHARACTERS, { message: 'password must not contain control characters' })
  password!: string;
}

/**
 * Checks login credentials before anything is sent. Messages name the field and the rule,
 * never the value.
 */
export function validateLoginCredentials(raw: unknown): CandescentLoginCredentials {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CandescentInvalidRequestError('Login credentials must be an object with username and password.', {
      errorType: 'USER_ERROR',
      errorCode: 'INVALID_CREDENTIALS_FORMAT',
    });
  }
  const { username, password } = raw as Record<string, unknown>;
  // Assigned, not transformed: class-transformer walks nested values, and a hostile body can
  // hand it objects (`{ constructor: {} }`, Maps) that make it throw.
  const credentials = Object.assign(new CandescentLoginCredentials(), { username, password });
  const errors = validateSync(credentials, { validationError: { target: false, value: false } });
  if (errors.length > 0) {
    const reasons = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new CandescentInvalidRequestError(`Invalid login credentials: ${reasons.join('; ')}.`, {
      errorType: 'USER_ERROR',
      errorCode: 'INVALID_CREDENTIALS_FORMAT',
    });
  }
  return credentials;
}
