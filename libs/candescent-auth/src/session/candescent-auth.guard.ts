import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  bindSession,
  CandescentContext,
  type CandescentSessionRef,
  instanceOwner,
  SESSION_ON_REQUEST,
  requestTraceId,
} from '../context/request-context';
import { incomingRequest, isGraphqlStateChange } from '../context/incoming-request';
import { ContextSession } from '../context/session-ref';
import {
  CandescentConfigurationError,
  CandescentForbiddenError,
  CandescentSessionRejectedError,
} from '../errors/candescent-auth.error';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { InjectCandescentAuthOptions } from '../options/inject-options.decorator';
import { CandescentSessionService } from './candescent-session.service';
import { cookieValues } from './session-cookie';
import { SKIP_CANDESCENT_AUTH } from './skip-candescent-auth.decorator';
import { REQUIRED_INSTITUTIONS } from './require-institution.decorator';
import { institutionOf } from '../token/candescent-token.service';
import type { AuthenticatedSession } from './stored-session.interface';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/**
 * The parts of an HTTP request the guard reads (Express and Fastify both have them): what
 * `getRequest` returns and `extractHandle` reads, for a subclass that overrides them.
 */
export interface CandescentGuardedRequest {
  /** The HTTP method (the CSRF check lets GET, HEAD and OPTIONS through). */
  method: string;
  /** The request headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** @internal Where the guard leaves the admitted session for `@CandescentCustomer()`. */
  [SESSION_ON_REQUEST]?: CandescentSessionRef;
}

const NO_CONTEXT =
  'CandescentAuthGuard admitted a session, but this request runs without a Candescent request context, so its Candescent calls could not carry the customer token. ' +
  'The module opens one for requests that carry the handle in the Authorization header or the session cookie; if your guard reads it from elsewhere, set context: true in forRoot, or with context: false run each request in CandescentContext.run(...).';

/** What the guard reads of a route's metadata. */
interface RouteMarks {
  readonly skipped: boolean;
  readonly institutions: readonly string[] | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_HANDLE_HEADER = 512;

/**
 * Admits requests that carry a valid customer session: `@UseGuards(CandescentAuthGuard)` on a
 * controller, route or GraphQL resolver, or as APP_GUARD with `@SkipCandescentAuth()` on the
 * open ones. Loads the session, renews its Candescent tokens when due, and hands it to the
 * request context and to `@CandescentCustomer()`. Refusals are 401 with the reason; a failed
 * CSRF check is 403.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentAuthGuard implements CanActivate {
  /** @internal Made by Nest's injector. */
  constructor(
    /** Nest's reflector, for route metadata. */
    protected readonly reflector: Reflector,
    /** The session service that checks handles. */
    protected readonly sessions: CandescentSessionService,
    @InjectCandescentAuthOptions() private readonly options: ResolvedCandescentAuthOptions,
  ) {
    this.owner = instanceOwner(options);
  }

  /** The mark of this module instance on the sessions it admits. */
  private readonly owner: symbol;
  /** The route metadata the guard reads, per handler and controller: decorators set it once, at start-up. */
  private readonly marks = new WeakMap<object, { controller: object; marks: RouteMarks }>();

  /**
   * Admits or refuses the request. A session the memory store holds, with nothing to renew or
   * record, is admitted without a promise (Nest then skips its own awaits); refusals always come
   * as a rejected promise.
   */
  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    try {
      return this.activate(execution);
    } catch (error: unknown) {
      // Passed on as thrown (the module's errors, or whatever an override threw).
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
  }

  private activate(execution: ExecutionContext): boolean | Promise<boolean> {
    if (this.isSkipped(execution)) return true;
    const request = this.getRequest(execution);
    // Worked out only when something needs it (a refusal, a log line): an admitted request never does.
    const traceId = (): string => requestTraceId(request);
    let authenticated: AuthenticatedSession | Promise<AuthenticatedSession>;
    try {
      const handle = this.extractHandle(request);
      // Without a context (context: false), still give the store's failure logs the trace id.
      authenticated = CandescentContext.current()
        ? this.sessions.admit(handle)
        : CandescentContext.run({ traceId: traceId() }, () => this.sessions.authenticate(handle));
    } catch (error: unknown) {
      this.refuse(error, traceId, execution);
    }
    if (!(authenticated instanceof Promise)) return this.admitted(request, authenticated, traceId, execution);
    return authenticated.then(
      (session) => this.admitted(request, session, traceId, execution),
      (error: unknown) => this.refuse(error, traceId, execution),
    );
  }

  private refuse(error: unknown, traceId: () => string, execution: ExecutionContext): never {
    if (error instanceof CandescentSessionRejectedError) this.throwRejection(withTraceId(error, traceId), execution);
    throw error;
  }

  private admitted(
    request: CandescentGuardedRequest,
    authenticated: AuthenticatedSession,
    traceId: () => string,
    execution: ExecutionContext,
  ): true {
    if (this.options.session.transport === 'cookie') this.checkCsrf(request, authenticated, traceId(), execution);
    this.checkInstitution(execution, authenticated, traceId);
    // Admitted without a context, the handler's Candescent calls would go out with the
    // institution token instead of the customer's: refuse instead (see the module's `context`).
    if (!CandescentContext.current())
      throw new CandescentConfigurationError(NO_CONTEXT, [], { errorCode: 'NO_REQUEST_CONTEXT', traceId: traceId() });
    bindSession(
      request,
      new ContextSession(
        authenticated.id,
        authenticated.session.tokens,
        (rejected) => this.sessions.renew(authenticated.id, rejected),
        (accessToken) => {
          this.sessions.reportAccepted(authenticated.id, accessToken);
        },
        this.owner,
      ),
    );
    return true;
  }

  /**
   * The request this guard reads: the HTTP request of a route (Express and Fastify), or the one
   * in a GraphQL resolver's context (`req`, as the Apollo and Mercurius drivers put it there).
   * Anything else (RPC, WebSocket, a GraphQL subscription without a request) fails closed.
   * Override it to guard another context.
   */
  protected getRequest(execution: ExecutionContext): CandescentGuardedRequest {
    const request = incomingRequest(execution);
    if (request) return request;
    throw new CandescentConfigurationError(
      execution.getType<string>() === 'graphql'
        ? "CandescentAuthGuard found no HTTP request in this GraphQL resolver's context: a context function of your own must keep `req` (the drivers add it to the object it returns), and a subscription without a request needs @SkipCandescentAuth() or a guard of its own."
        : `CandescentAuthGuard protects HTTP routes and GraphQL resolvers only; this ${execution.getType()} handler needs @SkipCandescentAuth(), a subclass that overrides getRequest(), or a guard of its own.`,
    );
  }

  /**
   * Raises the refusal of a request without a usable session (401 with the reason). Override it
   * to answer another way (a GraphQL error, a redirect); it must throw.
   */
  protected throwRejection(rejection: CandescentSessionRejectedError, _execution: ExecutionContext): never {
    throw rejection;
  }

  /** Whether the route or its controller is marked `@SkipCandescentAuth()`. */
  protected isSkipped(execution: ExecutionContext): boolean {
    return this.routeMarks(execution).skipped;
  }

  /**
   * The session handle from the bearer header or the cookie, per the configured transport.
   * Override it to read the handle from elsewhere; throw `CandescentSessionRejectedError` for a
   * malformed one (the guard adds the request's trace id to it).
   */
  protected extractHandle(request: CandescentGuardedRequest): string | undefined {
    if (this.options.session.transport === 'cookie') {
      // Two different session cookies (one planted by a sibling site, or set for a narrower
      // path) are refused rather than one picked: whichever came first is not the safe choice.
      const values = new Set(cookieValues(request.headers.cookie, this.options.session.cookieName));
      if (values.size > 1) throw new CandescentSessionRejectedError('invalid');
      return values.values().next().value;
    }
    const header = request.headers.authorization;
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || header.length > MAX_HANDLE_HEADER)
      throw new CandescentSessionRejectedError('invalid');
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) throw new CandescentSessionRejectedError('invalid');
    return match[1];
  }

  /** `@SkipCandescentAuth()` and `@RequireInstitution(...)` of the route or its controller, read once per route. */
  private routeMarks(execution: ExecutionContext): RouteMarks {
    const handler = execution.getHandler();
    const controller = execution.getClass();
    const known = this.marks.get(handler);
    if (known?.controller === controller) return known.marks;
    const targets = [handler, controller];
    const marks: RouteMarks = {
      skipped: this.reflector.getAllAndOverride<boolean | undefined>(SKIP_CANDESCENT_AUTH, targets) === true,
      institutions: this.reflector.getAllAndOverride<readonly string[] | undefined>(REQUIRED_INSTITUTIONS, targets),
    };
    this.marks.set(handler, { controller, marks });
    return marks;
  }

  /** @internal A route marked `@RequireInstitution(...)` admits only customers of those institutions. */
  protected checkInstitution(
    execution: ExecutionContext,
    authenticated: AuthenticatedSession,
    traceId: () => string,
  ): void {
    const allowed = this.routeMarks(execution).institutions;
    if (allowed && !allowed.includes(institutionOf(authenticated.session.tokens))) {
      throw new CandescentForbiddenError("This route is not open to customers of the session's institution.", {
        errorType: 'USER_ERROR',
        errorCode: 'INSTITUTION_NOT_ALLOWED',
        traceId: traceId(),
      });
    }
  }

  /**
   * Cookie sessions: a state-changing request must come from our own site and carry the
   * session's CSRF token in a header, which a cross-site form or fetch cannot add. State-changing
   * means any method but GET, HEAD and OPTIONS, and, for GraphQL, a mutation or subscription
   * whatever the method (so every GraphQL POST, queries included, needs the header).
   * @internal
   */
  protected checkCsrf(
    request: CandescentGuardedRequest,
    authenticated: AuthenticatedSession,
    traceId: string,
    execution?: ExecutionContext,
  ): void {
    const stateChanging = execution !== undefined && isGraphqlStateChange(execution);
    if (!stateChanging && SAFE_METHODS.has(request.method.toUpperCase())) return;
    const site = request.headers['sec-fetch-site'];
    const header = request.headers[this.options.session.csrfHeaderName];
    const token = typeof header === 'string' ? header : undefined;
    if (site === 'cross-site' || !this.sessions.csrfMatches(authenticated.session, token)) {
      throw new CandescentForbiddenError(
        `Cross-site request refused: state-changing requests need the session's CSRF token in the ${this.options.session.csrfHeaderName} header.`,
        { errorType: 'USER_ERROR', errorCode: 'CSRF_REJECTED', traceId },
      );
    }
  }
}

/** The refusal with the request's trace id, when it was raised without one. */
function withTraceId(rejection: CandescentSessionRejectedError, traceId: () => string): CandescentSessionRejectedError {
  return rejection.traceId === undefined ? new CandescentSessionRejectedError(rejection.reason, traceId()) : rejection;
}
