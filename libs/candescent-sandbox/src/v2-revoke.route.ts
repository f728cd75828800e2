import { isFormContentType } from './request-reader';
import { isUuid } from './request-checks';
import type { RouteHandler } from './sandbox-context';
import { transactionIdEcho, V2_ERRORS, v2ErrorResponse } from './v2-errors';

/**
 * `DELETE /oauth2/v1/revoke`: revokes a V2 access or refresh token. Unknown tokens still get
 * 204, as RFC 7009 asks, so the endpoint does not reveal which tokens exist. V1 tokens are not
 * this service's to revoke and stay untouched. A token of an FI the app is not enabled for (or
 * of another FI than an `institutionId` header names) is refused and stays valid: RFC 7009 has
 * the server check that the token was issued to the client asking.
 */
export const handleV2Revoke: RouteHandler = (request, context) => {
  const { headers, form } = request;
  const transactionId = headers.transactionid;
  const echo = transactionIdEcho(transactionId);

  const app = context.apps.authenticate(headers.authorization);
  if (!app) return v2ErrorResponse(V2_ERRORS.clientNotAuthorized, echo);
  if (!isUuid(transactionId)) return v2ErrorResponse(V2_ERRORS.badTransactionId, echo);
  // Not documented for revoke, but when sent it must be an FI of this app, as on the token service.
  const institutionId = headers.institutionid === '' ? undefined : headers.institutionid;
  if (institutionId !== undefined && !app.fiIds.includes(institutionId)) {
    return v2ErrorResponse(V2_ERRORS.clientNotAuthorized, echo);
  }
  if (!isFormContentType(headers['content-type'])) {
    return v2ErrorResponse(V2_ERRORS.invalidRequest('form-urlencoded body with token= expected'), echo);
  }
  if (!form.token) return v2ErrorResponse(V2_ERRORS.invalidRequest('token is required'), echo);
  const tokenFiId = context.tokens.fiIdOf(form.token);
  if (tokenFiId !== undefined && (!app.fiIds.includes(tokenFiId) || (institutionId ?? tokenFiId) !== tokenFiId)) {
    return v2ErrorResponse(V2_ERRORS.invalidTokenOrUser, echo);
  }
  context.tokens.revoke(form.token, 'v2');
  return { status: 204, headers: echo, body: '' };
};
