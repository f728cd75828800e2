import { Logger } from '@nestjs/common';
import { CandescentAuthError } from '../errors/candescent-auth.error';
import { redact, redactValue } from './redact';

/** Describes anything thrown in one secret-free line. */
export function describeError(error: unknown): string {
  if (error instanceof CandescentAuthError) return JSON.stringify(error.toJSON());
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return redact(`${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${error.message}`);
  }
  return redact(String(error));
}

/**
 * The module's logger: Nest's `Logger` with every message and context value redacted, so no
 * secret, password, token or Authorization value reaches a log line.
 */
export class CandescentLogger {
  private readonly logger: Logger;

  constructor(context: string) {
    this.logger = new Logger(context);
  }

  debug(message: string, details?: Record<string, unknown>): void {
    this.logger.debug(this.format(message, details));
  }

  log(message: string, details?: Record<string, unknown>): void {
    this.logger.log(this.format(message, details));
  }

  warn(message: string, error?: unknown): void {
    this.logger.warn(this.format(message, error === undefined ? undefined : { error: describeError(error) }));
  }

  error(message: string, error?: unknown): void {
    this.logger.error(this.format(message, error === undefined ? undefined : { error: describeError(error) }));
  }

  private format(message: string, details?: Record<string, unknown>): string {
    const text = redact(message);
    return details ? `${text} ${JSON.stringify(redactValue(details))}` : text;
  }
}
