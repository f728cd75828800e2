/** A complete answer, built by a route and written by the sandbox (or mangled by a fault). */
export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An ordered list of XML children or JSON members; `undefined` values are left out. */
export type Fields = ReadonlyArray<readonly [name: string, value: string | number | undefined]>;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and attribute values alike. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch);
}

/** `<tag>value</tag>` lines for every defined field, indented for readability. */
export function xmlFields(fields: Fields, indent: string): string {
  return fields
    .filter((field): field is readonly [string, string | number] => field[1] !== undefined)
    .map(([name, value]) => `${indent}<${name}>${xmlEscape(String(value))}</${name}>`)
    .join('\n');
}

/** A JSON object from fields, keeping each value's own type (strings stay strings). */
export function jsonObject(fields: Fields): Record<string, string | number> {
  const result: Record<string, string | number> = {};
  for (const [name, value] of fields) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** An XML document with the declaration the real service sends. */
export function xmlResponse(status: number, body: string, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml; charset=utf-8', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`,
  };
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function textResponse(
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): SandboxResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body };
}

/** What Apigee answers before the request reaches the token service when the key is wrong. */
export function gatewayFaultResponse(): SandboxResponse {
  return jsonResponse(401, {
    fault: { faultstring: 'Invalid ApiKey', detail: { errorcode: 'oauth.v2.InvalidApiKey' } },
  });
}

/** Token responses must never be cached by intermediaries (RFC 6749 section 5.1). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
});

/** The sandbox's own errors (unknown path, wrong method, body too large), the same on every route. */
export function plainErrorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SandboxResponse {
  return jsonResponse(status, { code, message }, headers);
}
