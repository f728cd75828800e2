import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from './request-reader';
import { acceptsJson } from './request-checks';
import type { SandboxFault } from './sandbox-faults';
import type { SandboxRoute } from './sandbox-records.interface';
import { gatewayFaultResponse, textResponse, type SandboxResponse } from './sandbox-responses';
import { isV1Route } from './sandbox-routes';
import type { SandboxTimers } from './sandbox-timers';
import { V1_ERRORS, v1ErrorResponse } from './v1-errors';
import { V2_ERRORS, v2ErrorResponse } from './v2-errors';

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

/** Faults that replace the answer (the others delay or tweak a normal one). */
export type ReplacingFault = Exclude<SandboxFault, { kind: 'latency' | 'expires-in' | 'same-token' | 'reject-token' }>;

/** Everything a fault needs to misbehave on one request. */
export interface FaultTarget {
  route: SandboxRoute;
  request: SandboxRequest;
  res: ServerResponse;
  timers: SandboxTimers;
  v1ErrorInfo: 'single' | 'many';
  /** The answer the route would give without the fault (tokens get minted). */
  normal: () => SandboxResponse;
  /** Writes a complete answer and records its status. */
  send: (response: SandboxResponse) => void;
  /** Records the status of an answer written by hand (0: none). */
  markStatus: (status: number) => void;
}

/** Answers one request the way the fault says. */
export async function answerWithFault(fault: ReplacingFault, target: FaultTarget): Promise<void> {
  switch (fault.kind) {
    case 'reset':
      target.markStatus(0);
      target.res.socket?.destroy();
      return;
    case 'reset-mid-body':
      resetMidBody(target);
      return;
    case 'slow-body':
      return slowBody(target, fault.ms);
    default:
      target.send(replacement(fault, target));
  }
}

function replacement(
  fault: Exclude<ReplacingFault, { kind: 'reset' | 'reset-mid-body' | 'slow-body' }>,
  target: FaultTarget,
): SandboxResponse {
  const v1 = isV1Route(target.route);
  const json = !v1 || acceptsJson(target.request.headers.accept);
  const v1Format = { json, errorInfo: target.v1ErrorInfo };
  switch (fault.kind) {
    case 'quota':
      return v1 ? v1ErrorResponse(V1_ERRORS.quota, v1Format) : v2ErrorResponse(V2_ERRORS.quota);
    case 'spike':
      return v1 ? v1ErrorResponse(V1_ERRORS.spike, v1Format) : v2ErrorResponse(V2_ERRORS.spike);
    case 'server-error':
      return v1 ? v1ErrorResponse(V1_ERRORS.serverError, v1Format) : v2ErrorResponse(V2_ERRORS.serverError);
    case 'unavailable':
      return textResponse(
        503,
        '<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>',
        'text/html; charset=utf-8',
        retryAfter(fault.retryAfterSeconds),
      );
    case 'too-many-requests':
      return textResponse(429, 'Too Many Requests', 'text/plain; charset=utf-8', retryAfter(fault.retryAfterSeconds));
    case 'malformed':
      return malformed(target.route, json);
    case 'html':
      return textResponse(
        502,
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>' +
          '<hr><center>nginx</center></body></html>',
        'text/html',
      );
    case 'empty':
      return textResponse(200, '', json ? JSON_TYPE : XML_TYPE);
    case 'gateway-fault':
      return gatewayFaultResponse();
    case 'raw':
      return {
        status: fault.status,
        headers: { 'content-type': fault.contentType ?? 'text/plain; charset=utf-8', ...lowerCaseNames(fault.headers) },
        body: fault.body,
      };
  }
}

function resetMidBody(target: FaultTarget): void {
  const response = target.normal();
  const body = Buffer.from(response.body);
  target.markStatus(response.status);
  target.res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  // Half the body: enough for a client to start parsing, never enough to finish.
  const sent = body.subarray(0, Math.max(0, Math.floor(body.length / 2)));
  target.res.write(sent, () => target.res.socket?.destroy());
}

async function slowBody(target: FaultTarget, ms: number): Promise<void> {
  const response = target.normal();
  const body = Buffer.from(response.body);
  target.markStatus(response.status);
  target.res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  target.res.flushHeaders();
  const pieces = Math.max(1, Math.min(10, body.length));
  const size = Math.ceil(body.length / pieces);
  for (let offset = 0; offset < body.length; offset += size) {
    if (!(await target.timers.sleep(ms / pieces)) || target.res.destroyed) return;
    target.res.write(body.subarray(offset, offset + size));
  }
  target.res.end();
}

function retryAfter(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

function lowerCaseNames(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

/** A body cut off mid-value, in the content type the route would have used. */
function malformed(route: SandboxRoute, json: boolean): SandboxResponse {
  const accounts = route === 'v1-accounts' || route === 'v2-accounts';
  if (json) {
    return textResponse(200, accounts ? '{"accounts":[{"id":"0042' : '{"access_token":"Zm9vYmFy', JSON_TYPE);
  }
  const xml = accounts ? '<accounts>\n  <account>\n    <id>0042' : '<token>\n  <access_token>Zm9v';
  return textResponse(200, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, XML_TYPE);
}
