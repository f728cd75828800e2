import { Injectable, type NestMiddleware } from '@nestjs/common';
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
 * handlers and filters all run inside it, on Express and Fastify alike. A middleware rather
 * than a global interceptor: Nest binds every global interceptor to each request (an
 * AsyncResource per request and interceptor), which every route of the app pays for, while a
 * middleware is one function call. The guard fills in the session later, on the same object.
 * The module applies it to every route unless `context: false`.
 */
@Injectable()
export class CandescentContextMiddleware implements NestMiddleware {
  use(request: IncomingRequest, _response: unknown, next: (error?: unknown) => void): void {
    CandescentContext.run(new IncomingRequestContext(request), next);
  }
}
