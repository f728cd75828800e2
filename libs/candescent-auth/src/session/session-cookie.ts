/** The value of one cookie from a `Cookie` header, or undefined. Bounded work on hostile input. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw || raw.length > 8192) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
  }
  return undefined;
}

/** Attributes of the session cookie. */
export interface SessionCookieAttributes {
  name: string;
  sameSite: 'strict' | 'lax';
  /** Absent: delete the cookie. */
  expiresAt?: number;
}

/** A `Set-Cookie` value: HttpOnly, Secure, SameSite, Path=/. */
export function serializeSessionCookie(value: string, attributes: SessionCookieAttributes): string {
  const sameSite = attributes.sameSite === 'strict' ? 'Strict' : 'Lax';
  const expires = attributes.expiresAt === undefined ? 'Max-Age=0' : `Expires=${new Date(attributes.expiresAt).toUTCString()}`;
  return `${attributes.name}=${value}; Path=/; ${expires}; HttpOnly; Secure; SameSite=${sameSite}`;
}

/**
 * The `Set-Cookie` value for a session handle with the module's cookie settings; without
 * `expiresAt` it deletes the cookie (logout).
 */
export function sessionCookie(
  options: { session: { cookieName: string; cookieSameSite: 'strict' | 'lax' } },
  handle: string,
  expiresAt: number | undefined,
): string {
  return serializeSessionCookie(handle, { name: options.session.cookieName, sameSite: options.session.cookieSameSite, expiresAt });
}
