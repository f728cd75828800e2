import { randomUUID } from 'node:crypto';
import type { CandescentSandbox } from './sandbox';
import type { SandboxCredentials } from './sandbox.options';

/** A response read completely, for assertions. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/** A request the specs send; `form` becomes an urlencoded body with the matching content type. */
export interface HttpCall {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  body?: string;
}

/** `Basic base64(key:secret)`. */
export function basic(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

/** Sends one request over real HTTP and reads the whole body. */
export async function send(url: string, call: HttpCall = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...call.headers };
  let body = call.body;
  if (call.form) {
    body = new URLSearchParams(call.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const response = await fetch(url, { method: call.method ?? 'GET', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Parses a JSON body as a plain record (the specs only read fields from it). */
export function jsonBody(result: HttpResult): Record<string, unknown> {
  return JSON.parse(result.text) as Record<string, unknown>;
}

/** Headers of a valid V1 token request, as the first institution or as `as`. */
export function v1Headers(
  sandbox: CandescentSandbox,
  extra: Record<string, string> = {},
  as: SandboxCredentials = sandbox.credentials,
): Record<string, string> {
  return {
    authorization: basic(as.consumerKey, as.consumerSecret),
    di_tid: randomUUID(),
    di_fiid: as.fiId,
    ...extra,
  };
}

/** Headers of a valid V2 token or revoke request, as the first institution or as `as`. */
export function v2Headers(
  sandbox: CandescentSandbox,
  extra: Record<string, string> = {},
  as: SandboxCredentials = sandbox.credentials,
): Record<string, string> {
  return {
    authorization: basic(as.consumerKey, as.consumerSecret),
    transactionId: randomUUID(),
    institutionId: as.fiId,
    accept: 'application/json',
    ...extra,
  };
}

/** Password-grant V2 login; fails the spec loudly when the sandbox refuses. */
export async function v2Login(
  sandbox: CandescentSandbox,
  username: string,
  password: string,
  as: SandboxCredentials = sandbox.credentials,
): Promise<{ accessToken: string; refreshToken: string }> {
  const result = await send(`${sandbox.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: v2Headers(sandbox, {}, as),
    form: { grant_type: 'password', username, password },
  });
  if (result.status !== 200) throw new Error(`V2 login failed: ${result.status} ${result.text}`);
  const body = jsonBody(result);
  return { accessToken: String(body.access_token), refreshToken: String(body.refresh_token) };
}

/** Client-credentials V2 token. */
export async function v2InstitutionToken(
  sandbox: CandescentSandbox,
  as: SandboxCredentials = sandbox.credentials,
): Promise<string> {
  const result = await send(`${sandbox.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: v2Headers(sandbox, {}, as),
    form: { grant_type: 'client_credentials' },
  });
  if (result.status !== 200) throw new Error(`V2 token failed: ${result.status} ${result.text}`);
  return String(jsonBody(result).access_token);
}

/** Password-grant V1 login (JSON form, to keep the spec short). */
export async function v1Login(
  sandbox: CandescentSandbox,
  username: string,
  password: string,
  as: SandboxCredentials = sandbox.credentials,
): Promise<{ accessToken: string; fiCustomerId: string; fiId: string; memberNumber: string }> {
  const result = await send(`${sandbox.url}/v1/oauth/token`, {
    method: 'POST',
    headers: v1Headers(sandbox, { accept: 'application/json' }, as),
    form: { grant_type: 'password', username, password },
  });
  if (result.status !== 200) throw new Error(`V1 login failed: ${result.status} ${result.text}`);
  const body = jsonBody(result);
  return {
    accessToken: String(body.access_token),
    fiCustomerId: String(body.di_ficustomer),
    fiId: String(body.di_fiid),
    memberNumber: String(body.di_member_number),
  };
}
