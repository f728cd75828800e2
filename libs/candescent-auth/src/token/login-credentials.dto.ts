import 'reflect-metadata';
import { type ValidationArguments, ValidateBy, validateSync } from 'class-validator';
import { CandescentInvalidRequestError } from '../errors/candescent-auth.error';

/** No C0/C1 control characters or DEL anywhere (they are rejected upstream as well). */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** Longest accepted username, in characters. */
export const MAX_USERNAME_LENGTH = 128;
/** Longest accepted password, in characters. */
export const MAX_PASSWORD_LENGTH = 256;

/** What is wrong with a credential field, or undefined when nothing is; never the value. */
function credentialProblem(value: unknown, maxLength: number): string | undefined {
  if (value === undefined || value === '') return 'is required';
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (!NO_CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
  return undefined;
}

/**
 * One rule per field with one message, the first that fails: a missing password is "password is
 * required", not that and "must be a string" and two more (also under Nest's ValidationPipe).
 */
function CredentialField(maxLength: number): PropertyDecorator {
  return ValidateBy({
    name: 'candescentCredential',
    validator: {
      validate: (value: unknown) => credentialProblem(value, maxLength) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'value'} ${credentialProblem(args?.value, maxLength) ?? 'is not valid'}`,
    },
  });
}

/** A retail customer's online banking credentials, for the password grant. */
export class CandescentLoginCredentials {
  /** The customer's online banking login id (at most 128 characters, no control characters). */
  @CredentialField(MAX_USERNAME_LENGTH)
  username!: string;

  /** The customer's password (at most 256 characters): sent once to Candescent, never stored, never logged. */
  @CredentialField(MAX_PASSWORD_LENGTH)
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
