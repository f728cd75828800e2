import type { ThrottlerOptions } from '@nestjs/throttler';
import type { SampleEnvironment } from '../sample-config';

/** Both login limits count attempts per minute. */
const LOGIN_WINDOW_MS = 60_000;

/**
 * The login limits: per client IP (`LOGIN_RATE_LIMIT`), and per username
 * (`LOGIN_USERNAME_RATE_LIMIT`), so guessing one customer's password from many addresses is
 * limited too. The username is compared case-insensitively, as banks usually treat login ids.
 * The throttler stores a hash of the tracker, not the username itself.
 */
export function loginThrottlers(environment: SampleEnvironment): ThrottlerOptions[] {
  return [
    { name: 'login', ttl: LOGIN_WINDOW_MS, limit: environment.LOGIN_RATE_LIMIT },
    {
      name: 'login-username',
      ttl: LOGIN_WINDOW_MS,
      limit: environment.LOGIN_USERNAME_RATE_LIMIT,
      // Without a string username there is nothing to count (the body is refused with a 400).
      skipIf: (context) => typeof usernameIn(context.switchToHttp().getRequest()) !== 'string',
      getTracker: (request) => `username:${String(usernameIn(request)).normalize('NFKC').toLowerCase()}`,
    },
  ];
}

function usernameIn(request: { body?: unknown }): unknown {
  const body = request.body;
  return body !== null && typeof body === 'object' ? (body as { username?: unknown }).username : undefined;
}
