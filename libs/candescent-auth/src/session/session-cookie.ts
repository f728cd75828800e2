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
  /** Seconds the browser keeps the cookie; absent: delete it (logout). */
  maxAgeSeconds?: number;
}

/**
 * A `Set-Cookie` value: HttpOnly, Secure, SameSite, Path=/ and no Domain (what the `__Host-`
 * prefix requires). `Max-Age` decides; `Expires` is there for clients that predate it.
 */
export function serializeSessionCookie(value: string, attributes: SessionCookieAttributes, now: number): string {
  const sameSite = attributes.sameSite === 'strict' ? 'Strict' : 'Lax';
  const maxAge = Math.max(0, Math.floor(attributes.maxAgeSeconds ?? 0));
  const expires = new Date(maxAge === 0 ? 0 : now + maxAge * 1000).toUTCString();
  return `${attributes.name}=${value}; Path=/; Max-Age=${maxAge}; Expires=${expires}; HttpOnly; Secure; SameSite=${sameSite}`;
}
