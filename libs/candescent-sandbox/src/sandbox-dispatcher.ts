import type { IncomingMessage, ServerResponse } from 'node:http';
import { definedEntries, describeRequest, MAX_BODY_BYTES, readBody } from './request-reader';
import type { RouteContext } from './sandbox-context';
import { answerWithFault } from './sandbox-fault-writer';
import type { SandboxFaultQueue, SuccessTweak } from './sandbox-faults';
import type { SandboxRecorder } from './sandbox-recorder';
import type { RecordedRequest } from './sandbox-records.interface';
import { plainErrorResponse, type SandboxResponse } from './sandbox-responses';
import { describeInstitutions } from './sandbox-isolation';
import { findRoute } from './sandbox-routes';
import type { SandboxTimers } from './sandbox-timers';

/** What the dispatcher works with; owned by the sandbox. */
export interface DispatcherDeps {
  context: RouteContext;
  faults: SandboxFaultQueue;
  recorder: SandboxRecorder;
  timers: SandboxTimers;
}

/**
 * Routes one request: record and count it, refuse what no route accepts, apply the first
 * matching fault, and otherwise let the route answer.
 */
export async function dispatch(req: IncomingMessage, res: ServerResponse, deps: DispatcherDeps): Promise<void> {
  const arrivedAt = deps.context.options.now();
  const body = await readBody(req);
  const request = describeRequest(req, body.kind === 'ok' ? body.body.toString('utf8') : '');
  const route = findRoute(request.path);
  const recorded: RecordedRequest = {
    route: route?.name ?? 'unknown',
    method: request.method,
    path: request.path,
    query: definedEntries(request.query),
    headers: definedEntries(request.headers),
    form: definedEntries(request.form),
    status: 0,
    at: arrivedAt,
    institutions: describeInstitutions(request, route, deps.context),
  };
  deps.recorder.record(recorded);
  const send = (response: SandboxResponse): void => {
    recorded.status = response.status;
    writeResponse(res, response);
  };

  if (!route) {
    send(plainErrorResponse(404, 'NOT_FOUND', `the sandbox has no route for ${request.method} ${request.path}`));
    return;
  }
  if (request.method !== route.method) {
    const message = `${request.path} accepts ${route.method}, not ${request.method}`;
    send(plainErrorResponse(405, 'METHOD_NOT_ALLOWED', message, { allow: route.method }));
    return;
  }
  if (body.kind === 'too-large') {
    const message = `request bodies are limited to ${MAX_BODY_BYTES} bytes`;
    send(plainErrorResponse(413, 'PAYLOAD_TOO_LARGE', message, { connection: 'close' }));
    return;
  }

  const fault = deps.faults.take(route.name);
  if (fault) recorded.fault = fault.kind;
  if (fault?.kind === 'latency' && !(await deps.timers.sleep(fault.ms))) return;
  if (fault === undefined || fault.kind === 'latency' || isTweak(fault)) {
    send(route.handler(request, deps.context, fault?.kind === 'latency' ? undefined : fault));
    return;
  }
  await answerWithFault(fault, {
    route: route.name,
    request,
    res,
    timers: deps.timers,
    v1ErrorInfo: deps.context.options.v1ErrorInfo,
    normal: () => route.handler(request, deps.context),
    send,
    markStatus: (status) => {
      recorded.status = status;
    },
  });
}

function isTweak(fault: { kind: string }): fault is SuccessTweak {
  return fault.kind === 'expires-in' || fault.kind === 'same-token' || fault.kind === 'reject-token';
}

/** Writes a whole answer unless the client is already gone. */
function writeResponse(res: ServerResponse, response: SandboxResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(response.body);
  // RFC 9110 forbids Content-Length on 204.
  const length: Record<string, string> = response.status === 204 ? {} : { 'content-length': String(body.length) };
  res.writeHead(response.status, { ...response.headers, ...length });
  res.end(response.status === 204 ? undefined : body);
}
