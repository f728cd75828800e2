import type { IncomingMessage } from 'node:http';

/** Bodies above this get 413: no token request comes close, so more is a client bug or abuse. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Named values where any name may be missing (headers, query, form). */
export type Lookup = Readonly<Record<string, string | undefined>>;

/** An incoming request in the form the route handlers read. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: Lookup;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Lookup;
  /** Header values exactly as received, to spot control characters. */
  rawHeaderValues: string[];
  body: string;
  /** Parsed body when it was form-urlencoded, else empty. First value wins for repeats. */
  form: Lookup;
}

/** The outcome of reading a body under the size limit. */
export type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large' };

/**
 * Reads the body up to `limit` bytes. Past the limit it stops buffering and resolves at once;
 * the rest of the body is left to drain and is discarded.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ kind: 'ok', body: Buffer.concat(chunks) });
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

/** Splits the URL and headers into the plain records routes and recordings use. */
export function describeRequest(req: IncomingMessage, body: string): SandboxRequest {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const rawHeaderValues = req.rawHeaders.filter((_, index) => index % 2 === 1);
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: firstValues(url.searchParams),
    headers,
    rawHeaderValues,
    body,
    form: isFormContentType(headers['content-type']) ? firstValues(new URLSearchParams(body)) : {},
  };
}

/** `application/x-www-form-urlencoded`, parameters such as charset allowed. */
export function isFormContentType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!(name in result)) result[name] = value;
  }
  return result;
}

/** A plain copy without missing entries, for recordings. */
export function definedEntries(lookup: Lookup): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(lookup)) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}
