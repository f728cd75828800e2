import type { ThrottlerOptions } from '@nestjs/throttler';
import type { SampleEnvironment } from '../sample-config';

/** Both login limits count attempts per minute. */
const LOGIN_WINDOW_MS = 60_000;

/**
 * The login limits: per client IP (`LOGIN_RATE_LIMIT`), and per username
 * (`LOGIN_USERNAME_RATE_LIMIT`), so guessing one customer's password from many addresses is
 * limited too. The username is counted as typed (trimmed): login ids may be case-sensitive (the
 * sandbox's are), and folding case would let `ALICE`'s failures lock `alice` out. The per-username
 * limit sends no `X-RateLimit-*` or `Retry-After` headers: they would tell anyone whether others
 * tried that username. The throttler stores a hash of the tracker, not the username itself.
 */
export function loginThrottlers(environment: SampleEnvironment): ThrottlerOptions[] {
  return [
    { name: 'login', ttl: LOGIN_WINDOW_MS, limit: environment.LOGIN_RATE_LIMIT },
    {
      name: 'login-username',
      ttl: LOGIN_WINDOW_MS,
      limit: environment.LOGIN_USERNAME_RATE_LIMIT,
      setHeaders: false,
      // Without a string username there is nothing to count (the body is refused with a 400).
      skipIf: (context) => typeof usernameIn(context.switchToHttp().getRequest()) !== 'string',
      getTracker: (request) => `username:${String(usernameIn(request)).trim()}`,
    },
  ];
}

function usernameIn(request: { body?: unknown }): unknown {
  const body = request.body;
  return body !== null && typeof body === 'object' ? (body as { username?: unknown }).username : undefined;
}
