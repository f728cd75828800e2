import type { ThrottlerOptions } from '@nestjs/throttler';
import { type SampleEnvironment, sampleInstitutionsFrom } from '../sample-config';

/** Both login limits count attempts per minute. */
const LOGIN_WINDOW_MS = 60_000;

/**
 * The login limits: per client IP (`LOGIN_RATE_LIMIT`), and per username
 * (`LOGIN_USERNAME_RATE_LIMIT`), so guessing one customer's password from many addresses is
 * limited too. The username is counted as typed (trimmed): login ids may be case-sensitive (the
 * sandbox's are), and folding case would let `ALICE`'s failures lock `alice` out. It is counted
 * per institution (a login naming none is the default one's): `alice` at one FI is not `alice`
 * at another, and her failures there must not lock her out here. The per-username
 * limit sends no `X-RateLimit-*` or `Retry-After` headers: they would tell anyone whether others
 * tried that username. The throttler stores a hash of the tracker, not the username itself.
 */
export function loginThrottlers(environment: SampleEnvironment): ThrottlerOptions[] {
  const defaultInstitution = sampleInstitutionsFrom(environment.CANDESCENT_INSTITUTIONS)?.[0]?.id ?? 'default';
  return [
    { name: 'login', ttl: LOGIN_WINDOW_MS, limit: environment.LOGIN_RATE_LIMIT },
    {
      name: 'login-username',
      ttl: LOGIN_WINDOW_MS,
      limit: environment.LOGIN_USERNAME_RATE_LIMIT,
      setHeaders: false,
      // Without a string username there is nothing to count (the body is refused with a 400).
      skipIf: (context) => typeof usernameIn(context.switchToHttp().getRequest()) !== 'string',
      getTracker: (request) =>
        `username:${institutionIn(request) ?? defaultInstitution}:${String(usernameIn(request)).trim()}`,
    },
  ];
}

function usernameIn(request: { body?: unknown }): unknown {
  return fieldOf(request.body, 'username');
}

/** The institution named, when it is a string (anything else is refused with a 400 anyway). */
function institutionIn(request: { body?: unknown }): string | undefined {
  const institution = fieldOf(request.body, 'institution');
  return typeof institution === 'string' ? institution : undefined;
}

function fieldOf(body: unknown, name: 'username' | 'institution'): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}
