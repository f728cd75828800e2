import { timingSafeEqual } from 'node:crypto';

const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANY_CASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Every Unicode "other" category: controls, format characters, surrogates, private use, unassigned.
const NON_PRINTABLE = /\p{C}/u;

/** V1 demands the canonical lowercase 8-4-4-4-12 form. */
export function isLowercaseUuid(value: string | undefined): boolean {
  return value !== undefined && LOWERCASE_UUID.test(value);
}

/** V2 documents a UUID without prescribing case. */
export function isUuid(value: string | undefined): boolean {
  return value !== undefined && ANY_CASE_UUID.test(value);
}

/**
 * C0 controls, DEL and C1 controls. Node's parser already refuses most of them, but lets a tab
 * through inside a value and decodes bytes 0x80-0x9f to C1 controls, which Apigee rejects.
 */
export function hasHeaderControlChars(values: readonly string[]): boolean {
  return values.some((value) => {
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
    }
    return false;
  });
}

export function hasNonPrintable(value: string): boolean {
  return NON_PRINTABLE.test(value);
}

/** Consumer key and secret of `Authorization: Basic`, or undefined when it is no well-formed Basic value. */
export function basicCredentials(authorization: string | undefined): { key: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * V1 answers JSON only when asked; XML is its default. With both listed, the higher q-value
 * wins and a tie keeps XML.
 */
export function acceptsJson(accept: string | undefined): boolean {
  let json = 0;
  let xml = 0;
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const weight = Number.isFinite(q) ? q : 0;
    if (type === 'application/json') json = Math.max(json, weight);
    if (type === 'application/xml' || type === 'text/xml') xml = Math.max(xml, weight);
  }
  return json > xml;
}

/** Constant-time string comparison, so a wrong secret takes as long as a right one. */
export function safeEqual(actual: string, expected: string): boolean {
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
