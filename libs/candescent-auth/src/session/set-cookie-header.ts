import { CandescentConfigurationError } from '../errors/candescent-auth.error';

/** Express's response: `append` adds to a header instead of replacing it. */
interface ExpressLikeResponse {
  append(name: string, value: string): unknown;
}

/** Fastify's reply: `header('set-cookie', ...)` adds to the cookies already set. */
interface FastifyLikeReply {
  raw: object;
  header(name: string, value: string): unknown;
}

/** Node's own `ServerResponse` (and anything shaped like it). */
interface NodeLikeResponse {
  getHeader(name: string): unknown;
  setHeader(name: string, value: string | string[]): unknown;
}

const hasMethod = (value: object, name: string): boolean =>
  typeof (value as Record<string, unknown>)[name] === 'function';

/**
 * Adds one `Set-Cookie` header to the response of either HTTP adapter, recognised by its shape
 * (neither framework is a dependency), and keeps every cookie the app set before. Throws a
 * configuration error, naming what to pass, for anything else.
 */
export function appendSetCookie(response: unknown, cookie: string): void {
  if (typeof response === 'object' && response !== null) {
    if (hasMethod(response, 'append')) {
      (response as ExpressLikeResponse).append('Set-Cookie', cookie);
      return;
    }
    if ('raw' in response && hasMethod(response, 'header')) {
      (response as FastifyLikeReply).header('set-cookie', cookie);
      return;
    }
    if (hasMethod(response, 'getHeader') && hasMethod(response, 'setHeader')) {
      const node = response as NodeLikeResponse;
      const before = node.getHeader('set-cookie');
      // Node keeps what was set: a string, a number or a list of strings.
      const kept = Array.isArray(before)
        ? before.map(String)
        : typeof before === 'string' || typeof before === 'number'
          ? [String(before)]
          : [];
      node.setHeader('set-cookie', [...kept, cookie]);
      return;
    }
  }
  throw new CandescentConfigurationError(
    'CandescentSessionCookies needs the HTTP response to set the session cookie: pass the Express response or Fastify reply from @Res({ passthrough: true }).',
  );
}
