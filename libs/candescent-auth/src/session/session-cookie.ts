/**
 * Every value of one cookie in a `Cookie` header, in order. The whole header is read, however
 * long: the HTTP server already bounds header size (Node: 16 KB by default), and giving up past
 * some length would let a page that sets many cookies hide the session (cookie bombing). The
 * scan is linear in the header's length.
 */
export function cookieValues(header: string | string[] | undefined, name: string): string[] {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return [];
  const values: string[] = [];
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      values.push(value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value);
    }
  }
  return values;
}

/** Attributes of the session cookie. */
export interface SessionCookieAttributes {
  name: string;
  sameSite: 'strict' | 'lax';
  /** Absent: delete the cookie. */
  expiresAt?: number;
}

/** A `Set-Cookie` value: HttpOnly, Secure, SameSite, Path=/. */
function serializeSessionCookie(value: string, attributes: SessionCookieAttributes): string {
  const sameSite = attributes.sameSite === 'strict' ? 'Strict' : 'Lax';
  const expires =
    attributes.expiresAt === undefined ? 'Max-Age=0' : `Expires=${new Date(attributes.expiresAt).toUTCString()}`;
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
  return serializeSessionCookie(handle, {
    name: options.session.cookieName,
    sameSite: options.session.cookieSameSite,
    expiresAt,
  });
}
