import type { ThrottlerOptions } from '@nestjs/throttler';
import type { SampleEnvironment } from '../sample-config';

/** Both login limits count attempts per minute. */
const LOGIN_WINDOW_MS = 60_000;

/**
 * The login limits: per client IP (`LOGIN_RATE_LIMIT`), and per username
 * (`LOGIN_USERNAME_RATE_LIMIT`), so guessing one customer's password from many addresses is
 * limited too. The username is compared case-insensitively, as banks usually treat login ids;
 * a body without a string username falls back to the client IP (it is refused with a 400 anyway).
 * The throttler stores a hash of the tracker, not the username itself.
 */
export function loginThrottlers(environment: SampleEnvironment): ThrottlerOptions[] {
  return [
    { name: 'login', ttl: LOGIN_WINDOW_MS, limit: environment.LOGIN_RATE_LIMIT },
    {
      name: 'login-username',
      ttl: LOGIN_WINDOW_MS,
      limit: environment.LOGIN_USERNAME_RATE_LIMIT,
      getTracker: (request: { body?: unknown; ip?: string }) => {
        const username = (request.body as { username?: unknown } | undefined)?.username;
        return typeof username === 'string' ? `username:${username.normalize('NFKC').toLowerCase()}` : `ip:${request.ip ?? ''}`;
      },
    },
  ];
}
