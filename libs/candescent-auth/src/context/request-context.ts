import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { CandescentTokenSet } from '../token/token-set.interface';

/** The customer session a guarded request runs for. */
export interface CandescentSessionRef {
  /** Hash of the session handle (the handle itself is never kept). */
  id: string;
  /** The session's current Candescent tokens. */
  tokens: CandescentTokenSet;
  /**
   * Renews the session's tokens (refresh grant) and stores the result; `rejectedAccessToken` is
   * the token Candescent just refused, so a token already replaced is not renewed twice.
   */
  renew?: (rejectedAccessToken?: string) => Promise<CandescentTokenSet>;
  /** Candescent accepted a call made with this access token. */
  accepted?: (accessToken: string) => void;
  /**
   * The module instance whose guard admitted the session. Outgoing calls of any other instance
   * (another FI or gateway) ignore the session, so a customer's token only ever goes to the
   * gateway it was issued by. A session you bind yourself without an owner is used by every
   * instance.
   */
  readonly owner?: symbol;
}

/**
 * What travels from the incoming request to outgoing Candescent calls. One object per incoming
 * request, so concurrent requests of different customers never see each other's tokens.
 */
export interface CandescentRequestContext {
  /** Reused from a valid incoming `di_tid` / `transactionId` / `x-request-id`, else fresh. */
  traceId: string;
  /** The end user's IP as the framework resolved it (`req.ip`, so `trust proxy` decides). */
  clientIp?: string;
  /** Set by the guard on guarded routes. */
  session?: CandescentSessionRef;
  /** The route demands a customer token: outgoing calls fail rather than use the institution token. */
  requireCustomerToken?: boolean;
}

const storage = new AsyncLocalStorage<CandescentRequestContext>();

/** Where the guard leaves the session on the framework's request object (for `@CandescentCustomer()`). */
export const SESSION_ON_REQUEST = Symbol('candescentSession');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Access to the current request's context. */
export const CandescentContext = {
  /** The context of the running request, if any. */
  current(): CandescentRequestContext | undefined {
    return storage.getStore();
  },

  /** Runs `fn` with `context` as the current context (for jobs and tests outside HTTP). */
  run<T>(context: CandescentRequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },

  /**
   * The context the module's middleware would open for this request: its trace id and client IP.
   * For apps that open contexts themselves (`context: false`, e.g. in nestjs-cls's `setup`):
   * `CandescentContext.run(CandescentContext.forRequest(req), next)`.
   * @param request - the framework's request (Express or Fastify): its headers and `ip`.
   */
  forRequest(request: CandescentIncomingRequest): CandescentRequestContext {
    const clientIp = clientIpFrom(request.ip);
    return { traceId: traceIdFrom(request), ...(clientIp === undefined ? {} : { clientIp }) };
  },

  /**
   * The request's trace id as the module reads it: an incoming `di_tid`, `transactionId` or
   * `x-request-id` that is a canonical UUID, otherwise a new one; the same id for every later
   * call on the same request object.
   */
  traceIdFrom(request: Pick<CandescentIncomingRequest, 'headers'>): string {
    return traceIdFrom(request);
  },

  /**
   * The client IP to send as `originating_ip`: the framework's `req.ip` (so its `trust proxy`
   * setting decides) when it is a well-formed address, IPv4-mapped IPv6 unwrapped; else undefined.
   */
  clientIpFrom(ip: string | undefined): string | undefined {
    return clientIpFrom(ip);
  },
};

/** The parts of an incoming HTTP request the context is made from (Express and Fastify have both). */
export interface CandescentIncomingRequest {
  /** The request headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The client address as the framework resolved it (`req.ip`). */
  ip?: string;
}

/**
 * Hands a request's session to `@CandescentCustomer()` (through the request object) and to
 * outgoing calls (through the current context, when the module's middleware or the app opened
 * one: without a context, customer calls fail closed).
 */
export function bindSession(
  request: { [SESSION_ON_REQUEST]?: CandescentSessionRef },
  session: CandescentSessionRef,
): void {
  request[SESSION_ON_REQUEST] = session;
  const context = storage.getStore();
  if (context) context.session = session;
}

/** One opaque owner per module instance, keyed by that instance's resolved options. */
const owners = new WeakMap<object, symbol>();

/** The owner mark of the module instance whose resolved options these are. */
export function instanceOwner(options: object): symbol {
  let owner = owners.get(options);
  if (owner === undefined) owners.set(options, (owner = Symbol('CandescentAuthModule instance')));
  return owner;
}

/**
 * The context's session when `owner`'s instance may use it: the session its own guard bound, or
 * one bound without an owner. Any other instance's session is not this instance's to send.
 */
export function ownedSession(
  context: CandescentRequestContext | undefined,
  owner: symbol,
): CandescentSessionRef | undefined {
  const session = context?.session;
  return session && (session.owner === undefined || session.owner === owner) ? session : undefined;
}

const TRACE_ON_REQUEST = Symbol('candescentTraceId');

/** What a trace id is read from: any HTTP request (the framework's or the raw node one). */
export interface TraceCarrier {
  headers: Record<string, string | string[] | undefined>;
  [TRACE_ON_REQUEST]?: string;
}

/**
 * The trace id of the running request: its context's when it has one (on Fastify the module's
 * middleware saw the raw request, not the framework's object the guard or a filter is given),
 * else the request's own.
 */
export function requestTraceId(request: TraceCarrier): string {
  return storage.getStore()?.traceId ?? traceIdFrom(request);
}

/**
 * The request's trace id: an incoming `di_tid` / `transactionId` / `x-request-id` when it is a
 * canonical UUID, otherwise a new one. Kept on the request so the guard, the handler's context
 * and error bodies all report the same id.
 */
export function traceIdFrom(request: TraceCarrier): string {
  const known = request[TRACE_ON_REQUEST];
  if (known !== undefined) return known;
  let traceId: string | undefined;
  for (const name of ['di_tid', 'transactionid', 'x-request-id']) {
    const value = request.headers[name];
    if (typeof value === 'string' && UUID.test(value)) {
      traceId = value.toLowerCase();
      break;
    }
  }
  traceId ??= randomUUID();
  request[TRACE_ON_REQUEST] = traceId;
  return traceId;
}

/** The IP as given by the framework, only when it is a well-formed address (IPv4-mapped unwrapped). */
export function clientIpFrom(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const unwrapped = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return isIP(unwrapped) ? unwrapped : undefined;
}
