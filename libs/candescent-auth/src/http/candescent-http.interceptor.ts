import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type AxiosInstance, type AxiosRequestConfig, type InternalAxiosRequestConfig, isAxiosError } from 'axios';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import {
  CandescentContext,
  type CandescentRequestContext,
  instanceOwner,
  ownedSession,
} from '../context/request-context';
import { CandescentSessionExpiredError, CandescentTokenUnavailableError } from '../errors/candescent-auth.error';
import type { CandescentService } from '../token/candescent-service';
import type { CandescentToken } from '../token/candescent-token.interface';
import { sanitizeAxiosError } from '../logging/sanitize-axios-error';
import { traceUnauthorized } from '../metrics/candescent-tracing';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentInstitutions } from '../institutions/candescent-institutions.service';
import type { InstitutionRuntime } from '../institutions/institution-runtime';
import { institutionOf } from '../token/candescent-token.service';
import { isUsable } from '../token/refresh-schedule';
import { CandescentClock } from '../token/candescent-clock';
import { candescentHeaders, CANDESCENT_HEADER_NAMES, putCandescentHeaders } from './candescent-headers';
import { failedCall, notReplayed, refusedAgain } from './outgoing-call.errors';
import { checkedAdapter } from './checked-adapter';
import { replayOf, type SentRequest, sentRequest, snapshotForReplay, whyNotReplayable } from './replay-snapshot';
import { type RequestDestination, requestDestination, usesFetchAdapter } from './request-destination';
import { refused } from './request-refusals';
import { serviceForPath } from './service-for-path';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** Which token an outgoing request carries. */
export type CandescentAuthMode = 'auto' | 'customer' | 'institution' | 'none';

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * Token choice for a request to the Candescent origin: `auto` (default) uses the current
     * customer's token inside a guarded request and the institution token elsewhere;
     * `customer` fails without a customer; `institution` always uses the institution token;
     * `none` sends no Candescent headers.
     */
    candescentAuth?: CandescentAuthMode;
    /** Set by the module on its one replay after a 401; never set it yourself. */
    candescentReplay?: boolean;
    /**
     * Errors of a Candescent call become module errors (`CandescentRequestRejectedError`,
     * `CandescentNotFoundError`, ...) unless this is true: then the axios error is thrown as it
     * is, printing redacted. @default false
     */
    candescentRawErrors?: boolean;
    /**
     * The institution (its id in the module's options) a call is for. Unset: inside a customer's
     * request the customer's institution, else the default (the first). A relative URL on the
     * module's `CandescentHttpService` goes to that institution's gateway. A `customer` call
     * naming another institution than the customer's is refused before sending.
     */
    candescentInstitution?: string;
  }
}

/** The token a call carries, and whether it is the customer's. */
interface Grant {
  accessToken: string;
  customer: boolean;
}

interface Attached {
  /** The institution the credentials belong to, as it was when the call started. */
  runtime: InstitutionRuntime;
  service: CandescentService;
  accessToken: string;
  customer: boolean;
  /** Origin of the last redirect hop; a 401 from anywhere but Candescent says nothing about the token. */
  finalOrigin: string;
  /** A hop left the origin, so the credentials were stripped: a later 401 is not about the token. */
  leftOrigin: boolean;
  /** The request as it reached the interceptor, for the one replay. */
  original: AxiosRequestConfig;
  /** The body and headers the adapter was handed, which the replay sends again. */
  sent?: SentRequest;
}

type RedirectHook = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>;
/** Our redirect hook remembers the caller's own, so a replay wraps that and not ours again. */
const CALLER_HOOK = Symbol('callerBeforeRedirect');
type WrappedHook = RedirectHook & { [CALLER_HOOK]?: RedirectHook };

/**
 * Adds Candescent credentials to outgoing axios requests bound for the configured Candescent
 * origin, and to no other. Fails closed (no token, no request), never forwards credentials
 * across a redirect to another origin, and answers a 401 by invalidating exactly the token that
 * was refused and replaying once, for idempotent requests or those with an `Idempotency-Key`.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentHttpInterceptor implements OnModuleDestroy {
  private readonly ejectors: Array<() => void> = [];
  /** Which token went on which request. A WeakMap, so the token is not on the config for anyone to print. */
  private readonly attached = new WeakMap<InternalAxiosRequestConfig, Attached>();
  /** This module instance's mark: a session another instance's guard admitted is not ours to send. */
  private readonly owner: symbol;

  /** @internal Made by Nest's injector. */
  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    private readonly institutions: CandescentInstitutions,
    private readonly clock: CandescentClock,
  ) {
    this.owner = instanceOwner(options);
  }

  /**
   * Installs the interceptor on an axios instance (`httpService.axiosRef`). Returns a function
   * that removes it; it is also removed when the module is destroyed.
   */
  attach(instance: AxiosInstance): () => void {
    const requestId = instance.interceptors.request.use((config) => this.onRequest(instance, config));
    const responseId = instance.interceptors.response.use(
      (response) => {
        const attached = this.attached.get(response.config);
        if (attached && !attached.leftOrigin) {
          if (attached.customer)
            ownedSession(CandescentContext.current(), this.owner)?.accepted?.(attached.accessToken);
          else attached.runtime.tokens.reportAccepted(attached.accessToken);
        }
        return response;
      },
      // A 401 that leads to a replay gets its own span (metrics/candescent-tracing.ts).
      (error: unknown) =>
        traceUnauthorized(
          error,
          (config) => this.attached.get(config as InternalAxiosRequestConfig),
          () => this.onError(instance, error),
        ),
    );
    let ejected = false;
    const eject = () => {
      if (ejected) return;
      ejected = true;
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
    };
    this.ejectors.push(eject);
    return eject;
  }

  /** Removes the interceptor from every axios instance it was attached to. */
  onModuleDestroy(): void {
    for (const eject of this.ejectors.splice(0)) eject();
  }

  /**
   * Adds the credentials to a Candescent call. Synchronous while the token is at hand (a cached
   * institution token, a customer token that needs no renewal): only a fetch or a renewal waits.
   */
  private onRequest(
    instance: AxiosInstance,
    config: InternalAxiosRequestConfig,
  ): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
    if (config.candescentAuth === 'none') return config;
    const context = CandescentContext.current();
    const mode = config.candescentAuth ?? 'auto';
    const session = ownedSession(context, this.owner);
    const named = config.candescentInstitution;
    const runtime = this.institutions.runtime(named ?? (session && institutionOf(session.tokens)), context?.traceId);
    // The module's HttpService points at the default gateway: a call for another institution goes to its own.
    if (config.baseURL === this.options.baseUrl) config.baseURL = runtime.settings.baseUrl;
    const url = requestDestination(instance, config);
    if (url?.origin !== runtime.settings.origin) return config;
    if (usesFetchAdapter(config)) throw refused('fetch-adapter', context?.traceId);
    // axios would send these as Basic credentials in place of the token.
    if (url.username || url.password || config.auth) throw refused('basic-auth', context?.traceId);
    const original = snapshotForReplay(config);
    const service = serviceAt(runtime, url);
    const grant = this.tokenFor(runtime, service, mode, context);
    const call = { runtime, service, original };
    if (grant instanceof Promise) return grant.then((token) => this.withCredentials(instance, config, call, token));
    return this.withCredentials(instance, config, call, grant, context, session);
  }

  /** Puts the token and the Candescent headers on the request, and follows it to the adapter and through redirects. */
  private withCredentials(
    instance: AxiosInstance,
    config: InternalAxiosRequestConfig,
    call: Pick<Attached, 'runtime' | 'service' | 'original'>,
    { accessToken, customer }: Grant,
    // Read again after a token fetch or renewal: the session may have been renewed meanwhile.
    context = CandescentContext.current(),
    session = ownedSession(context, this.owner),
  ): InternalAxiosRequestConfig {
    const { runtime, service } = call;
    putCandescentHeaders(
      config.headers,
      candescentHeaders({
        service,
        accessToken,
        traceId: randomUUID(),
        fiId: customer ? (session?.tokens.customer.fiId ?? runtime.settings.fiId) : runtime.settings.fiId,
        userAgent: this.options.userAgent,
        originatingIp: context?.clientIp,
      }),
    );
    const origin = runtime.settings.origin;
    const attached: Attached = { ...call, accessToken, customer, finalOrigin: origin, leftOrigin: false };
    this.attached.set(config, attached);
    config.adapter = checkedAdapter(config.adapter, (sending) => {
      this.checkAtSend(instance, sending, attached);
    });
    const previous = config.beforeRedirect as WrappedHook | undefined;
    const callerHook = previous && CALLER_HOOK in previous ? previous[CALLER_HOOK] : previous;
    const hook: WrappedHook = (redirect, response, request) => {
      attached.finalOrigin = redirectOrigin(redirect) ?? 'unknown';
      if (attached.finalOrigin !== origin) attached.leftOrigin = true;
      if (attached.leftOrigin) stripCandescentHeaders(redirect.headers);
      callerHook?.(redirect, response, request);
    };
    hook[CALLER_HOOK] = callerHook;
    config.beforeRedirect = hook;
    return config;
  }

  /** The token a call carries: at once when cached and usable, a promise when it must be fetched or renewed. */
  private tokenFor(
    runtime: InstitutionRuntime,
    service: CandescentService,
    mode: CandescentAuthMode,
    context: CandescentRequestContext | undefined,
  ): Grant | Promise<Grant> {
    const owned = ownedSession(context, this.owner);
    // A customer's token only goes to the customer's institution: an `auto` call named for
    // another one uses that institution's token, a `customer` call is refused below.
    const session = owned && institutionOf(owned.tokens) === runtime.id ? owned : undefined;
    const wantCustomer =
      mode === 'customer' || (mode === 'auto' && (session !== undefined || context?.requireCustomerToken === true));
    if (!wantCustomer) {
      const cached = runtime.tokens.institutionTokenNow(service);
      if (cached) return { accessToken: cached.accessToken, customer: false };
      return runtime.tokens
        .getInstitutionToken({ service })
        .then((token) => ({ accessToken: token.accessToken, customer: false }));
    }
    if (!session && owned) {
      throw new CandescentTokenUnavailableError(
        "This call names another institution than the customer's, and a customer's token only goes to the customer's institution. Call it without candescentInstitution, or with candescentAuth: 'institution'.",
        { errorType: 'USER_ERROR', errorCode: 'INSTITUTION_MISMATCH', traceId: context?.traceId },
      );
    }
    if (!session && context?.session) {
      throw new CandescentTokenUnavailableError(
        "This Candescent call needs a customer token, but the request's customer session was admitted by another CandescentAuthModule instance (another institution or gateway), and a customer's token only goes to the gateway that issued it. Make the call through that instance's CandescentHttpService, or with candescentAuth: 'institution'.",
        { errorType: 'USER_ERROR', errorCode: 'SESSION_OF_OTHER_INSTANCE', traceId: context.traceId },
      );
    }
    if (!session) {
      throw new CandescentTokenUnavailableError(
        'This Candescent call needs a customer token, but the request has no customer session. Guard the route with CandescentAuthGuard.',
        { errorType: 'USER_ERROR', errorCode: 'NO_CUSTOMER_SESSION', traceId: context?.traceId },
      );
    }
    const token = session.tokens[service];
    if (token && !isUsable(token, this.clock.now()) && session.renew) {
      return session.renew(token.accessToken).then((tokens) => {
        session.tokens = tokens;
        return this.usableCustomerToken(tokens[service], service, context);
      });
    }
    return this.usableCustomerToken(token, service, context);
  }

  private usableCustomerToken(
    token: CandescentToken | undefined,
    service: CandescentService,
    context: CandescentRequestContext | undefined,
  ): Grant {
    if (!token || !isUsable(token, this.clock.now())) {
      throw new CandescentSessionExpiredError(
        `The customer session holds no valid ${service.toUpperCase()} token for this call; log in again.`,
        { errorType: 'USER_ERROR', errorCode: 'NO_CUSTOMER_TOKEN', service, traceId: context?.traceId },
      );
    }
    return { accessToken: token.accessToken, customer: true };
  }

  private async onError(instance: AxiosInstance, error: unknown): Promise<unknown> {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const attached = this.attached.get(config);
    if (!attached) throw sanitizeAxiosError(error);
    if (error.response?.status !== 401 || attached.leftOrigin) throw failedCall(error, attached, this.clock.now());
    const context = CandescentContext.current();
    const replayed = config.candescentReplay === true;
    // A refused replay means the fresh token is not the problem: renewing again would only spend
    // another token request, or another rotation of the customer's refresh token.
    if (replayed) throw refusedAgain(error, attached, context);
    sanitizeAxiosError(error);
    if (!attached.customer) {
      attached.runtime.tokens.reportRejected(attached.accessToken);
    } else {
      const session = ownedSession(context, this.owner);
      if (session?.renew && session.tokens[attached.service]?.accessToken === attached.accessToken) {
        session.tokens = await session.renew(attached.accessToken);
        // Kept, not renewed (see tokenRefusalCooldownMs): a replay would only be refused again.
        if (session.tokens[attached.service]?.accessToken === attached.accessToken)
          throw refusedAgain(error, attached, context);
      }
    }
    const replay = replayOf(attached.original, attached.sent);
    // Whether it may be replayed is the caller's request's to say; whether it can, the body's that was sent.
    const notReplayable = whyNotReplayable(attached.original) ?? whyNotReplayable(replay);
    if (notReplayable) throw notReplayed(error, attached, notReplayable, context);
    // Replaying with the token that was just refused would only be refused again.
    if (
      !attached.customer &&
      (await attached.runtime.tokens.getInstitutionToken({ service: attached.service })).accessToken ===
        attached.accessToken
    ) {
      throw refusedAgain(error, attached, context);
    }
    return instance.request(replay);
  }

  /**
   * The destination decided again as axios sends the request: an interceptor that runs after
   * ours may have moved it to another origin, or to the other token service's paths. The
   * credentials are for the destination `onRequest` checked, so the call is refused otherwise.
   */
  private checkAtSend(instance: AxiosInstance, sending: InternalAxiosRequestConfig, attached: Attached): void {
    const url = requestDestination(instance, sending);
    const traceId = CandescentContext.current()?.traceId;
    if (url?.origin !== attached.runtime.settings.origin || serviceAt(attached.runtime, url) !== attached.service)
      throw refused('destination-changed', traceId);
    if (url.username || url.password || sending.auth) throw refused('basic-auth', traceId);
    // Sent again outside the module (an app-level retry of `error.config`): recorded once already.
    if (attached.sent) return;
    // An interceptor that returned a copy of the config: the answer comes with this one.
    this.attached.set(sending, attached);
    // The replay's body: the bytes handed to the adapter, which no earlier copy could predict (transforms, toJSON).
    attached.sent = sentRequest(sending);
  }
}

/** Chooses the token service for a Candescent URL; the V1/V2 path rule sees the path below the base URL's. */
function serviceAt(runtime: InstitutionRuntime, url: RequestDestination): CandescentService {
  const { basePath, options } = runtime;
  const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
  return serviceForPath(path, options.tokenServices, options.legacyPathPattern);
}

function redirectOrigin(redirect: Record<string, unknown>): string | undefined {
  try {
    return new URL(String(redirect.href)).origin;
  } catch {
    return undefined;
  }
}

function stripCandescentHeaders(headers: unknown): void {
  if (!headers || typeof headers !== 'object') return;
  const bag = headers as Record<string, unknown>;
  for (const name of Object.keys(bag))
    if (CANDESCENT_HEADER_NAMES.has(name.toLowerCase())) Reflect.deleteProperty(bag, name);
}
