import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { CANDESCENT_MODULE_EXTRAS, type CandescentAuthModuleExtras } from '../candescent-auth.module-definition';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { InjectCandescentAuthOptions } from '../options/inject-options.decorator';
import { cookieValues } from '../session/session-cookie';
import {
  CandescentContext,
  type CandescentRequestContext,
  type CandescentSessionRef,
  clientIpFrom,
  traceIdFrom,
} from './request-context';

/** What the middleware reads of a request: the raw node request on Express and on Fastify (middie copies `ip` onto it). */
interface IncomingRequest {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The context of one incoming request. Nothing is computed until an outgoing Candescent call,
 * the guard or an error body asks: a route that never touches Candescent pays for one small
 * object and the `AsyncLocalStorage` entry, nothing else. The request sits in a private field,
 * so printing the context never prints the request.
 */
class IncomingRequestContext implements CandescentRequestContext {
  session?: CandescentSessionRef;
  requireCustomerToken?: boolean;
  readonly #request: IncomingRequest;
  #traceId?: string;
  #clientIp?: string | null;

  constructor(request: IncomingRequest) {
    this.#request = request;
  }

  get traceId(): string {
    return (this.#traceId ??= traceIdFrom(this.#request));
  }

  set traceId(traceId: string) {
    this.#traceId = traceId;
  }

  get clientIp(): string | undefined {
    if (this.#clientIp === undefined) this.#clientIp = clientIpFrom(this.#request.ip) ?? null;
    return this.#clientIp ?? undefined;
  }

  toJSON(): { traceId: string } {
    return { traceId: this.traceId };
  }
}

/**
 * Opens the request context (AsyncLocalStorage) before routing, so guards, interceptors, pipes,
 * handlers and filters all run inside it, on Express and Fastify alike.
 *
 * By default (`context: 'sessions'`) only for requests that carry a session handle the way the
 * configured transport sends it (an `Authorization` header, or the session cookie): those are
 * the only requests the guard can admit, so the only ones whose outgoing calls can carry a
 * customer token. Every other request runs without a context and pays one header lookup.
 *
 * Why not a context on every request: on Node 20 `AsyncLocalStorage.run` per request, and the
 * promise hook it switches on for every promise of the process, cost a route that returns a
 * constant about 14 % of its throughput (`npm run bench`), whether or not the route ever calls
 * Candescent. A middleware rather than a global interceptor: Nest binds every global
 * interceptor to each request (an AsyncResource per request and interceptor), while a
 * middleware that decides not to open a context is one function call. The guard fills in the
 * session later, on the same object. `context: true` opens one for every request.
 */
@Injectable()
export class CandescentContextMiddleware implements NestMiddleware {
  /** The cookie whose presence opens a context (cookie transport), or undefined for the bearer header. */
  private readonly cookieName: string | undefined;
  private readonly everyRequest: boolean;

  constructor(
    @InjectCandescentAuthOptions() options: ResolvedCandescentAuthOptions,
    @Inject(CANDESCENT_MODULE_EXTRAS) extras: CandescentAuthModuleExtras,
  ) {
    this.cookieName = options.session.transport === 'cookie' ? options.session.cookieName : undefined;
    this.everyRequest = extras.context === true;
  }

  use(request: IncomingRequest, _response: unknown, next: (error?: unknown) => void): void {
    if (this.everyRequest || this.carriesSession(request))
      CandescentContext.run(new IncomingRequestContext(request), next);
    else next();
  }

  /**
   * Whether the request may carry a session handle. The cookie is read by the guard's own
   * parser, so whatever the guard would accept opens a context; the substring test only spares
   * requests without the name that parse.
   */
  private carriesSession(request: IncomingRequest): boolean {
    const name = this.cookieName;
    if (name === undefined) return request.headers.authorization !== undefined;
    const cookie = request.headers.cookie;
    if (cookie === undefined) return false;
    const mentioned = typeof cookie === 'string' ? cookie.includes(name) : cookie.some((part) => part.includes(name));
    return mentioned && cookieValues(cookie, name).length > 0;
  }
}
