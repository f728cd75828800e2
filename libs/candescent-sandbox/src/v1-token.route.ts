import { isIP } from 'node:net';
import { isFormContentType } from './request-reader';
import { acceptsJson, hasHeaderControlChars, isLowercaseUuid } from './request-checks';
import type { RouteHandler } from './sandbox-context';
import {
  gatewayFaultResponse,
  jsonObject,
  jsonResponse,
  NO_STORE_HEADERS,
  xmlFields,
  xmlResponse,
  type Fields,
  type SandboxResponse,
} from './sandbox-responses';
import { V1_ERRORS, v1ErrorResponse, type V1Error } from './v1-errors';

/**
 * `POST /v1/oauth/token`: the legacy token service. Checks run in the order the gateway applies
 * them: API key first (answered by Apigee itself), then headers, then the form.
 */
export const handleV1Token: RouteHandler = (request, context, tweak) => {
  const { headers, form } = request;
  const { options } = context;
  const json = acceptsJson(headers.accept);
  const fail = (error: V1Error): SandboxResponse => v1ErrorResponse(error, { json, errorInfo: options.v1ErrorInfo });

  const app = context.apps.authenticate(headers.authorization);
  if (!app) return gatewayFaultResponse();
  if (hasHeaderControlChars(request.rawHeaderValues)) return fail(V1_ERRORS.headerInvalid());
  if (!isLowercaseUuid(headers.di_tid)) return fail(V1_ERRORS.headerInvalid('di_tid'));
  const fiId = headers.di_fiid;
  if (!fiId) return fail(V1_ERRORS.headerInvalid('di_fiid'));
  if (!isFormContentType(headers['content-type'])) return fail(V1_ERRORS.headerInvalid());
  const originatingIp = headers.originating_ip;
  if (originatingIp !== undefined && isIP(originatingIp) === 0) {
    return fail(V1_ERRORS.headerInvalid('originating_ip'));
  }
  // Another app's FI, served here or not: this app is not enabled for it.
  if (!app.fiIds.includes(fiId)) return fail(V1_ERRORS.fiNotAuthorized);

  const expiresIn = (ttl: number): string | number | undefined =>
    tweak?.kind === 'expires-in' ? (tweak.value ?? undefined) : String(ttl);
  const reusePrevious = tweak?.kind === 'same-token';

  if (form.grant_type === 'client_credentials') {
    if (!options.clientCredentialsEnabled) return fail(V1_ERRORS.clientCredentialsNotSupported);
    const issued = context.tokens.issue({
      service: 'v1',
      grant: 'client_credentials',
      fiId,
      scopes: [],
      accessTtlSeconds: options.accessTokenTtlSeconds,
      reusePrevious,
    });
    return tokenResponse(json, [
      ['access_token', issued.accessToken],
      ['expires_in', expiresIn(options.accessTokenTtlSeconds)],
      ['di_fiid', fiId],
    ]);
  }
  if (form.grant_type !== 'password') return fail(V1_ERRORS.formParamInvalid('grant_type'));
  if (!form.username) return fail(V1_ERRORS.formParamInvalid('username'));
  if (!form.password) return fail(V1_ERRORS.formParamInvalid('password'));
  const customer = context.customers.findByLogin(fiId, form.username, form.password);
  if (!customer) return fail(V1_ERRORS.loginInvalid);

  const issued = context.tokens.issue({
    service: 'v1',
    grant: 'password',
    fiId,
    fiCustomerId: customer.fiCustomerId,
    scopes: [],
    accessTtlSeconds: options.accessTokenTtlSeconds,
    refreshTtlSeconds: options.refreshTokenTtlSeconds,
    reusePrevious,
  });
  return tokenResponse(json, [
    ['di_fiid', fiId],
    ['di_ficustomer', customer.fiCustomerId],
    ['di_member_number', customer.memberNumber],
    ['access_token', issued.accessToken],
    ['expires_in', expiresIn(options.accessTokenTtlSeconds)],
    ['refresh_token', issued.refreshToken],
    ['refresh_token_expires_in', String(options.refreshTokenTtlSeconds)],
  ]);
};

/** `<token>` with one text node per value, or the older portal's JSON object of strings. */
function tokenResponse(json: boolean, fields: Fields): SandboxResponse {
  return json
    ? jsonResponse(200, jsonObject(fields), NO_STORE_HEADERS)
    : xmlResponse(200, `<token>\n${xmlFields(fields, '  ')}\n</token>`, NO_STORE_HEADERS);
}
