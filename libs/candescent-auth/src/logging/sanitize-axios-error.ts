import { isAxiosError } from 'axios';
import { REDACTED, redact } from './redact';

function scrubHeaders(headers: unknown): void {
  if (!headers || typeof headers !== 'object') return;
  const bag = headers as Record<string, unknown>;
  for (const name of Object.keys(bag)) {
    if (/^(authorization|cookie|set-cookie|proxy-authorization)$/i.test(name)) bag[name] = REDACTED;
  }
}

function hide(target: object, key: string): void {
  if (key in target) Object.defineProperty(target, key, { enumerable: false, configurable: true, writable: true });
}

/**
 * Makes an axios error safe to log, serialize or inspect: its config carries the Authorization
 * header and the form body (a password, a refresh token), and its request object the raw
 * request head. Headers and body are redacted in place; the request objects are hidden.
 * Returns the same error so callers can rethrow it.
 */
export function sanitizeAxiosError<T>(error: T): T {
  if (!isAxiosError(error)) return error;
  const config = error.config;
  if (config) {
    scrubHeaders(config.headers);
    if (typeof config.data === 'string') config.data = redact(config.data);
    else if (config.data !== undefined) config.data = REDACTED;
    if (typeof config.url === 'string') config.url = redact(config.url);
    // Promises created inside a request carry its async context (the session) as hidden state.
    hide(config, 'cancelToken');
    hide(config, 'signal');
  }
  if (error.response) {
    scrubHeaders(error.response.headers);
    hide(error.response, 'request');
    hide(error.response, 'config');
  }
  hide(error, 'request');
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  return error;
}
