import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { isAxiosError } from 'axios';
import { CandescentContext } from '../context/request-context';
import { CandescentAuthError } from '../errors/candescent-auth.error';
import { loadOptionalPeer } from '../peers/optional-peer';

/** The OpenTelemetry API when the app has it installed (a peer dependency); spans are skipped without it. */
const otel = loadOptionalPeer('@opentelemetry/api') as typeof OpenTelemetryApi | undefined;

type Kind = 'client' | 'internal';

/** The part of a span the module uses. */
export type ModuleSpan = Pick<Span, 'setAttribute' | 'setStatus' | 'addEvent' | 'end'>;

/** Stands in for a span when the OpenTelemetry API is not installed. */
const NO_SPAN: ModuleSpan = {
  setAttribute: () => NO_SPAN as Span,
  setStatus: () => NO_SPAN as Span,
  addEvent: () => NO_SPAN as Span,
  end: () => undefined,
};

/** Name of the tracer (and instrumentation scope) of every span the module starts. */
export const CANDESCENT_TRACER_NAME = '@candescent/auth';

/** Every span the module starts. Names are stable: dashboards and alerts may rely on them. */
export const CANDESCENT_SPAN_NAMES = Object.freeze({
  /** One token request to Candescent, retries included (one event per failed attempt). */
  tokenRequest: 'candescent.token.request',
  /** Customer login: the password grant on every configured service, and the new session. */
  login: 'candescent.session.login',
  /** Customer logout: the session deleted and its V2 tokens revoked. */
  logout: 'candescent.session.logout',
  /** A session's tokens renewed (refresh grant), when due or because Candescent refused one. */
  renew: 'candescent.session.renew',
  /** A 401 from Candescent: the refused token dropped or renewed, and the one replay. */
  replay: 'candescent.http.replay',
});

/**
 * Attribute keys. Values are service names, grants, counts, outcomes (error codes), the
 * institution's id in the module's options and the request's trace id: never a token, a secret,
 * a password, a session handle or a customer id.
 */
export const CANDESCENT_SPAN_ATTRIBUTES = Object.freeze({
  service: 'candescent.service',
  /** The institution's id in the module's options (`default` when the options name one FI at the top). */
  institution: 'candescent.institution',
  grant: 'candescent.grant',
  attempts: 'candescent.attempts',
  outcome: 'candescent.outcome',
  traceId: 'candescent.trace_id',
  forced: 'candescent.renewal.forced',
  token: 'candescent.token.kind',
  method: 'http.request.method',
  status: 'http.response.status_code',
});

const A = CANDESCENT_SPAN_ATTRIBUTES;

/** What a span records about a failure: the error code or class, never the message. */
export function outcomeOf(error: unknown): string {
  if (error instanceof CandescentAuthError) return error.errorCode ?? error.name;
  if (isAxiosError(error)) return error.response ? `http_${error.response.status}` : (error.code ?? 'network');
  return 'error';
}

/**
 * Runs `fn` in a new active span, a child of whatever span is active (the incoming request's,
 * when the app traces requests). A no-op span unless the app registered an SDK.
 */
function inSpan<T>(name: string, kind: Kind, attributes: Attributes, fn: (span: ModuleSpan) => Promise<T>): Promise<T> {
  if (!otel) return fn(NO_SPAN);
  const { trace, SpanKind, SpanStatusCode } = otel;
  const traceId = CandescentContext.current()?.traceId;
  const all = traceId === undefined ? attributes : { ...attributes, [A.traceId]: traceId };
  return trace
    .getTracer(CANDESCENT_TRACER_NAME)
    .startActiveSpan(
      name,
      { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: all },
      async (span) => {
        try {
          const result = await fn(span);
          span.setAttribute(A.outcome, 'success');
          return result;
        } catch (error: unknown) {
          const outcome = outcomeOf(error);
          span.setAttribute(A.outcome, outcome);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          throw error;
        } finally {
          span.end();
        }
      },
    );
}

/**
 * Wraps a token request (all its attempts) in a `candescent.token.request` span. `run` receives
 * the attempt function back, counting: the span gets the attempt count and an event for each
 * failed attempt.
 */
export function traceTokenRequest<T>(
  service: string,
  grant: string,
  institution: string,
  attempt: (timeoutMs: number) => Promise<T>,
  run: (counted: (timeoutMs: number) => Promise<T>) => Promise<T>,
): Promise<T> {
  return inSpan(
    CANDESCENT_SPAN_NAMES.tokenRequest,
    'client',
    { [A.service]: service, [A.grant]: grant, [A.institution]: institution, [A.attempts]: 0 },
    (span) => {
      let attempts = 0;
      return run(async (timeoutMs) => {
        attempts += 1;
        span.setAttribute(A.attempts, attempts);
        try {
          return await attempt(timeoutMs);
        } catch (error: unknown) {
          span.addEvent('candescent.attempt.failed', { 'candescent.attempt': attempts, [A.outcome]: outcomeOf(error) });
          throw error;
        }
      });
    },
  );
}

/**
 * Wraps a login or logout in its span. The institution is known only once the session is (a
 * login resolves it, a logout reads it): `fn` tags the span with {@link tagInstitution}.
 */
export function traceSession<T>(
  event: 'login' | 'logout',
  services: readonly string[],
  fn: (span: ModuleSpan) => Promise<T>,
): Promise<T> {
  return inSpan(CANDESCENT_SPAN_NAMES[event], 'internal', { [A.service]: services.join(',') }, fn);
}

/** Wraps a session renewal; `forced` when Candescent refused the token (not merely due). */
export function traceSessionRenewal<T>(forced: boolean, fn: (span: ModuleSpan) => Promise<T>): Promise<T> {
  return inSpan(CANDESCENT_SPAN_NAMES.renew, 'internal', { [A.forced]: forced }, fn);
}

/** Records on a session span which institution the session belongs to. */
export function tagInstitution(span: ModuleSpan, institution: string): void {
  span.setAttribute(A.institution, institution);
}

/** What the outgoing interceptor knows about the token it put on a request. */
export interface AttachedTokenInfo {
  service: string;
  customer: boolean;
  leftOrigin: boolean;
  /** The institution whose credentials the request carries. */
  runtime: { readonly id: string };
}

/**
 * Wraps the interceptor's error handling in a `candescent.http.replay` span when the error is
 * a 401 from Candescent to a first attempt that carried a module token (the case that drops or
 * renews the token and replays); anything else passes through untraced.
 */
export function traceUnauthorized<T>(
  error: unknown,
  attachedTo: (config: object) => AttachedTokenInfo | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!isAxiosError(error) || !error.config || error.response?.status !== 401 || error.config.candescentReplay === true)
    return fn();
  const attached = attachedTo(error.config);
  if (!attached || attached.leftOrigin) return fn();
  const attributes = {
    [A.service]: attached.service,
    [A.institution]: attached.runtime.id,
    [A.token]: attached.customer ? 'customer' : 'institution',
    [A.method]: (error.config.method ?? 'get').toUpperCase(),
  };
  return inSpan(CANDESCENT_SPAN_NAMES.replay, 'internal', attributes, async (span) => {
    const result = await fn();
    const status = (result as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number') span.setAttribute(A.status, status);
    return result;
  });
}
