import { cookieValues } from './session-cookie';
import { isSessionHandle } from './session-handle';

/**
 * The well-formed session tokens a request carries in the configured transport (bearer header
 * or session cookie, duplicates included). A login handler passes them to
 * `CandescentSessionService.login` as `presentedSessionTokens`, so that logging in again ends the
 * session the client had.
 */
export function presentedSessionTokens(
  headers: Record<string, string | string[] | undefined>,
  options: { session: { transport: 'bearer' | 'cookie'; cookieName: string } },
): string[] {
  if (options.session.transport === 'cookie')
    return cookieValues(headers.cookie, options.session.cookieName).filter(isSessionHandle);
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
  return match?.[1] !== undefined && isSessionHandle(match[1]) ? [match[1]] : [];
}
