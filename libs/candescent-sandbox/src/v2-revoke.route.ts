import { isFormContentType } from './request-reader';
import { basicAuthMatches, isUuid } from './request-checks';
import type { RouteHandler } from './sandbox-context';
import { transactionIdEcho, V2_ERRORS, v2ErrorResponse } from './v2-errors';

/**
 * `DELETE /oauth2/v1/revoke`: revokes a V2 access or refresh token. Unknown tokens still get
 * 204, as RFC 7009 asks, so the endpoint does not reveal which tokens exist. V1 tokens are not
 * this service's to revoke and stay untouched.
 */
export const handleV2Revoke: RouteHandler = (request, context) => {
  const { headers, form } = request;
  const transactionId = headers.transactionid;
  const echo = transactionIdEcho(transactionId);

  if (!basicAuthMatches(headers.authorization, context.options.consumerKey, context.options.consumerSecret)) {
    return v2ErrorResponse(V2_ERRORS.clientNotAuthorized, echo);
  }
  if (!isUuid(transactionId)) return v2ErrorResponse(V2_ERRORS.badTransactionId, echo);
  if (!isFormContentType(headers['content-type'])) {
    return v2ErrorResponse(V2_ERRORS.invalidRequest('form-urlencoded body with token= expected'), echo);
  }
  if (!form.token) return v2ErrorResponse(V2_ERRORS.invalidRequest('token is required'), echo);
  context.tokens.revoke(form.token, 'v2');
  return { status: 204, headers: echo, body: '' };
};
