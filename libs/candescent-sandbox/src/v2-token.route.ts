import { isFormContentType, type SandboxRequest } from './request-reader';
import { hasNonPrintable, isUuid } from './request-checks';
import type { SandboxApp } from './sandbox-apps';
import type { RouteContext, RouteHandler } from './sandbox-context';
import type { SuccessTweak } from './sandbox-faults';
import { jsonObject, jsonResponse, NO_STORE_HEADERS, type SandboxResponse } from './sandbox-responses';
import type { IssueRequest } from './sandbox-token-store';
import { transactionIdEcho, V2_ERRORS, v2ErrorResponse, type V2Error } from './v2-errors';

/** What a grant handler decided: an error, or the tokens to mint. */
type GrantOutcome = { error: V2Error } | { issue: Omit<IssueRequest, 'accessTtlSeconds' | 'reusePrevious'> };

/** `POST /oauth2/v1/token`: the V2 token service (client_credentials, password, refresh_token). */
export const handleV2Token: RouteHandler = (request, context, tweak) => {
  const { headers, form } = request;
  const { options } = context;
  const transactionId = headers.transactionid;
  const echo = transactionIdEcho(transactionId);
  const fail = (error: V2Error): SandboxResponse => v2ErrorResponse(error, echo);

  const app = context.apps.authenticate(headers.authorization);
  if (!app) return fail(V2_ERRORS.clientNotAuthorized);
  if (!isUuid(transactionId)) return fail(V2_ERRORS.badTransactionId);
  if (!isFormContentType(headers['content-type'])) return fail(V2_ERRORS.invalidRequest());
  const grant = form.grant_type;
  if (grant !== 'client_credentials' && grant !== 'password' && grant !== 'refresh_token') {
    return fail(V2_ERRORS.invalidGrantType);
  }
  // An empty header counts as absent, which the refresh grant allows.
  const institutionId = headers.institutionid === '' ? undefined : headers.institutionid;
  if (grant !== 'refresh_token' && !institutionId) return fail(V2_ERRORS.badInstitutionId);
  // Another app's FI, served here or not: this app is not enabled for it.
  if (institutionId !== undefined && !app.fiIds.includes(institutionId)) {
    return fail(V2_ERRORS.clientNotAuthorized);
  }

  const outcome =
    grant === 'client_credentials'
      ? clientCredentials(request, context, institutionId ?? '')
      : grant === 'password'
        ? password(request, context, institutionId ?? '')
        : refresh(request, context, app, institutionId);
  if ('error' in outcome) return fail(outcome.error);

  const issued = context.tokens.issue({
    ...outcome.issue,
    accessTtlSeconds: options.accessTokenTtlSeconds,
    reusePrevious: tweak?.kind === 'same-token',
  });
  const body = jsonObject([
    ['access_token', issued.accessToken],
    ['token_type', 'Bearer'],
    ['expires_in', expiresIn(tweak, options.accessTokenTtlSeconds)],
    ['refresh_token', issued.refreshToken],
    ['refresh_token_expires_in', issued.refreshToken ? String(options.refreshTokenTtlSeconds) : undefined],
    ['transactionId', transactionId],
  ]);
  return jsonResponse(200, body, { ...NO_STORE_HEADERS, ...echo });
};

function clientCredentials(request: SandboxRequest, context: RouteContext, fiId: string): GrantOutcome {
  if (!context.options.clientCredentialsEnabled) return { error: V2_ERRORS.forbidden };
  const scopes = requestedScopes(request, context);
  if (!scopes) return { error: V2_ERRORS.invalidScope };
  return { issue: { service: 'v2', grant: 'client_credentials', fiId, scopes } };
}

function password(request: SandboxRequest, context: RouteContext, fiId: string): GrantOutcome {
  const { username, password: secret } = request.form;
  if (!username || !secret) return { error: V2_ERRORS.usernamePasswordInvalid };
  if (hasNonPrintable(username) || hasNonPrintable(secret)) return { error: V2_ERRORS.nonPrintable };
  const scopes = requestedScopes(request, context);
  if (!scopes) return { error: V2_ERRORS.invalidScope };
  const customer = context.customers.findByLogin(fiId, username, secret);
  if (!customer) return { error: V2_ERRORS.invalidUserCredentials };
  return {
    issue: {
      service: 'v2',
      grant: 'password',
      fiId,
      fiCustomerId: customer.fiCustomerId,
      scopes,
      refreshTtlSeconds: context.options.refreshTokenTtlSeconds,
    },
  };
}

function refresh(
  request: SandboxRequest,
  context: RouteContext,
  app: SandboxApp,
  institutionId: string | undefined,
): GrantOutcome {
  const presented = request.form.refresh_token;
  if (!presented) return { error: V2_ERRORS.invalidTokenOrUser };
  const consumed = context.tokens.consumeRefresh(presented, 'v2');
  // A refresh token presented for another FI, or by another FI's app, is burnt all the same:
  // it may have leaked.
  if (
    !consumed ||
    !app.fiIds.includes(consumed.fiId) ||
    (institutionId !== undefined && institutionId !== consumed.fiId)
  ) {
    return { error: V2_ERRORS.invalidTokenOrUser };
  }
  return {
    issue: {
      service: 'v2',
      grant: 'refresh_token',
      fiId: consumed.fiId,
      fiCustomerId: consumed.fiCustomerId,
      scopes: consumed.scopes,
      refreshTtlSeconds: context.options.refreshTokenTtlSeconds,
      chainId: consumed.chainId,
    },
  };
}

/** Requested scopes (space separated, `scopes` form field); every app scope when omitted. */
function requestedScopes(request: SandboxRequest, context: RouteContext): string[] | undefined {
  const raw = request.form.scopes;
  if (raw === undefined) return [...context.options.allowedScopes];
  const scopes = raw.split(' ').filter((scope) => scope.length > 0);
  if (scopes.length === 0 || scopes.some((scope) => !context.options.allowedScopes.includes(scope))) return undefined;
  return scopes;
}

function expiresIn(tweak: SuccessTweak | undefined, ttlSeconds: number): string | number | undefined {
  return tweak?.kind === 'expires-in' ? (tweak.value ?? undefined) : String(ttlSeconds);
}
