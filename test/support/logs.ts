import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** One captured call of the logger. */
export interface CapturedLog {
  level: LogLevel;
  /** The message and every optional parameter (context, stack, objects) as one readable line. */
  line: string;
  /**
   * The level, then every argument in every form a real logger might print it in (see
   * `renderings`), so a secret hidden in an object is seen too.
   */
  text: string;
}

/**
 * A Nest logger that keeps every call at every level (debug and verbose included) instead of
 * printing it, so tests can assert over everything the module logged and search it for secrets.
 */
export class LogCapture implements LoggerService {
  readonly entries: CapturedLog[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.record('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.record('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.record('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.record('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.record('fatal', message, params);
  }

  // Level filtering would hide exactly the lines a leak check or a log assertion has to see.
  setLogLevels(): void {
    /* every level is recorded */
  }

  /** Every captured line, all levels. */
  lines(): string[] {
    return this.entries.map((entry) => entry.line);
  }

  /** Lines of one level. */
  linesAt(level: LogLevel): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.line);
  }

  /** Every captured call in all its renderings: what a search for leaked values has to cover. */
  texts(): string[] {
    return this.entries.map((entry) => entry.text);
  }

  clear(): void {
    this.entries.length = 0;
  }

  private record(level: LogLevel, message: unknown, params: unknown[]): void {
    const parts = [message, ...params];
    const line = parts
      .filter((part) => part !== undefined)
      .map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 10 })))
      .join(' ');
    const text = `${level}: ${parts.map((part) => renderings(part).join(' ')).join(' ')}`;
    this.entries.push({ level, line, text });
  }
}

/** Every way a value may end up as text: as is, `util.inspect` (deep) and JSON. */
export function renderings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const out = [inspect(value, { depth: 10 })];
  try {
    // Undefined for undefined and functions, whatever the declared type says.
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined) out.push(json);
  } catch {
    // A cyclic object has no JSON form; inspect covered it.
  }
  if (value instanceof Error) out.push(value.message, value.stack ?? '');
  return out;
}
