import { inspect } from 'node:util';
import { AxiosHeaders, isAxiosError, type AxiosError } from 'axios';
import { REDACTED, redact } from './redact';

const CREDENTIAL_HEADER = /^(authorization|cookie|set-cookie|proxy-authorization)$/i;

/** A plain copy of headers with credential values replaced; the headers themselves are not touched. */
function scrubbedHeaders(headers: unknown): Record<string, unknown> | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const plain = headers instanceof AxiosHeaders ? headers.toJSON() : (headers as Record<string, unknown>);
  return Object.fromEntries(
    Object.entries(plain).map(([name, value]) => [name, CREDENTIAL_HEADER.test(name) ? REDACTED : value]),
  );
}

/** What a request config may show in a log: method, URL and headers redacted, the body never. */
function printableConfig(config: AxiosError['config']): Record<string, unknown> | undefined {
  if (!config) return undefined;
  return {
    method: config.method,
    baseURL: typeof config.baseURL === 'string' ? redact(config.baseURL) : undefined,
    url: typeof config.url === 'string' ? redact(config.url) : undefined,
    headers: scrubbedHeaders(config.headers),
    data: config.data === undefined ? undefined : REDACTED,
    timeout: config.timeout,
  };
}

/** The printable form of an axios error: what `toJSON` and `util.inspect` show. */
function printable(error: AxiosError): Record<string, unknown> {
  const response = error.response;
  return {
    name: error.name,
    message: redact(error.message),
    code: error.code,
    status: response?.status ?? error.status,
    config: printableConfig(error.config),
    response: response && {
      status: response.status,
      statusText: response.statusText,
      headers: scrubbedHeaders(response.headers),
      data: response.data,
    },
  };
}

function hide(target: object, key: string): void {
  if (Object.prototype.hasOwnProperty.call(target, key)) Object.defineProperty(target, key, { enumerable: false });
}

/**
 * Makes an axios error safe to log, serialize or inspect, without changing the request it
 * describes: a replay or an app's retry may send `error.config` again, so the config, its
 * headers and its body stay exactly as they were. Instead the config and the raw request
 * objects become non-enumerable (loggers that walk an error's fields skip them), and the error
 * gets its own `toJSON` and `util.inspect` forms built from redacted copies. The message and
 * stack are text only, so they are redacted in place. Returns the same error.
 */
export function sanitizeAxiosError<T>(error: T): T {
  if (!isAxiosError(error)) return error;
  hide(error, 'config');
  hide(error, 'request');
  if (error.response) {
    hide(error.response, 'request');
    hide(error.response, 'config');
    // What came back is never sent again, so its cookies can be scrubbed where they are.
    const received = error.response.headers as Record<string, unknown> | undefined;
    for (const name of Object.keys(received ?? {}))
      if (received && CREDENTIAL_HEADER.test(name)) received[name] = REDACTED;
  }
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  Object.defineProperty(error, 'toJSON', {
    value: () => printable(error),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  Object.defineProperty(error, inspect.custom, {
    value: (depth: number, options: object) =>
      `${error.stack ?? error.name}\n${inspect(printable(error), { ...options, depth })}`,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}
