import { acceptsJson, bearerToken, isLowercaseUuid, isUuid } from './request-checks';
import type { RouteContext, RouteHandler } from './sandbox-context';
import type { SandboxAccount } from './sandbox-customer.interface';
import type { AccountsCall } from './sandbox-records.interface';
import { jsonResponse, xmlFields, xmlResponse, type SandboxResponse } from './sandbox-responses';
import type { AccessTokenRecord } from './sandbox-token-store';
import { V1_ERRORS, v1ErrorResponse, type V1Error } from './v1-errors';
import { transactionIdEcho, V2_ERRORS, v2ErrorResponse, type V2Error } from './v2-errors';

/** Matches the V1 accounts path and captures `di_fiid` and `di_ficustomer`. */
export const V1_ACCOUNTS_PATH = /^\/bankingservices\/v2\/fis\/([^/]+)\/fiCustomers\/([^/]+)\/accounts$/;

/**
 * `GET /db-accounts/v1/accounts`: a customer token reads its own customer's accounts; an
 * institution token must name the customer with exactly one of `hostUserId` (member number) or
 * `loginId` (username) of its FI, and an unknown customer gives an empty list. An
 * `institutionId` header naming another FI than the token's gets 401 CMN_90001.
 */
export const handleV2Accounts: RouteHandler = (request, context, tweak) => {
  const { headers, query } = request;
  const accessToken = bearerToken(headers.authorization) ?? '';
  const call = startCall('v2', accessToken, context, { loginId: query.loginId, hostUserId: query.hostUserId });
  const transactionId = headers.transactionid;
  const echo = transactionIdEcho(transactionId);
  const fail = (error: V2Error): SandboxResponse => finish(call, context, v2ErrorResponse(error, echo));

  const token = tweak?.kind === 'reject-token' ? undefined : context.tokens.findAccess(accessToken);
  if (token?.service !== 'v2') return fail(V2_ERRORS.invalidCredentials);
  if (!isUuid(transactionId)) return fail(V2_ERRORS.badTransactionId);
  const institutionId = headers.institutionid;
  if (institutionId !== undefined && institutionId !== '' && institutionId !== token.fiId) {
    return fail(V2_ERRORS.clientNotAuthorized);
  }
  if (!token.scopes.includes('accounts:read')) return fail(V2_ERRORS.forbidden);

  let accounts: SandboxAccount[] = [];
  if (token.fiCustomerId !== undefined) {
    const customer = context.customers.findByFiCustomerId(token.fiId, token.fiCustomerId);
    accounts = customer?.accounts ?? [];
    call.returnedFiCustomerId = customer?.fiCustomerId;
  } else {
    const { loginId, hostUserId } = query;
    if (!loginId && !hostUserId) return fail(V2_ERRORS.invalidRequest('institution token needs hostUserId or loginId'));
    if (loginId && hostUserId) return fail(V2_ERRORS.invalidRequest('send hostUserId or loginId, not both'));
    const customer = loginId
      ? context.customers.findByLoginId(token.fiId, loginId)
      : context.customers.findByMemberNumber(token.fiId, hostUserId ?? '');
    accounts = customer?.accounts ?? [];
    call.returnedFiCustomerId = customer?.fiCustomerId;
  }
  return finish(call, context, jsonResponse(200, { accounts }, echo));
};

/**
 * `GET /bankingservices/v2/fis/{di_fiid}/fiCustomers/{di_ficustomer}/accounts`: only a V1
 * customer token of that very FI and customer gets through, and a `di_fiid` header, when sent,
 * must name that FI too.
 */
export const handleV1Accounts: RouteHandler = (request, context, tweak) => {
  const { headers } = request;
  const json = acceptsJson(headers.accept);
  const [, pathFiId = '', pathCustomerId = ''] = (V1_ACCOUNTS_PATH.exec(request.path) ?? []).map(safeDecode);
  const accessToken = bearerToken(headers.authorization) ?? '';
  const call = startCall('v1', accessToken, context, { requestedFiCustomerId: pathCustomerId });
  const fail = (error: V1Error): SandboxResponse =>
    finish(call, context, v1ErrorResponse(error, { json, errorInfo: context.options.v1ErrorInfo }));

  const token = tweak?.kind === 'reject-token' ? undefined : context.tokens.findAccess(accessToken);
  if (token?.service !== 'v1' || token.fiCustomerId === undefined) return fail(V1_ERRORS.loginInvalid);
  if (!isLowercaseUuid(headers.di_tid)) return fail(V1_ERRORS.headerInvalid('di_tid'));
  if (token.fiId !== pathFiId) return fail(V1_ERRORS.fiNotAuthorized);
  if (headers.di_fiid !== undefined && headers.di_fiid !== token.fiId) return fail(V1_ERRORS.fiNotAuthorized);
  if (token.fiCustomerId !== pathCustomerId) return fail(V1_ERRORS.customerNotAuthorized);

  const customer = context.customers.findByFiCustomerId(token.fiId, token.fiCustomerId);
  const accounts = customer?.accounts ?? [];
  call.returnedFiCustomerId = customer?.fiCustomerId;
  if (json) return finish(call, context, jsonResponse(200, { accounts }));
  const entries = accounts.map(
    (account) =>
      `  <account>\n${xmlFields(
        [
          ['id', account.id],
          ['type', account.type],
          ['name', account.name],
          ['balance', account.balance],
          ['currency', account.currency],
        ],
        '    ',
      )}\n  </account>`,
  );
  const body = entries.length > 0 ? `<accounts>\n${entries.join('\n')}\n</accounts>` : '<accounts/>';
  return finish(call, context, xmlResponse(200, body));
};

function startCall(
  service: AccountsCall['service'],
  accessToken: string,
  context: RouteContext,
  extra: Partial<AccountsCall>,
): AccountsCall {
  // Described even when dead, so a test can see that an expired customer token was refused.
  const known: AccessTokenRecord | undefined = context.tokens.describeAccess(accessToken);
  return {
    service,
    status: 0,
    accessToken,
    tokenGrant: known?.grant,
    tokenFiCustomerId: known?.fiCustomerId,
    ...extra,
  };
}

function finish(call: AccountsCall, context: RouteContext, response: SandboxResponse): SandboxResponse {
  call.status = response.status;
  context.recordAccountsCall(withoutUndefined(call));
  return response;
}

function withoutUndefined(call: AccountsCall): AccountsCall {
  return Object.fromEntries(Object.entries(call).filter(([, value]) => value !== undefined)) as AccountsCall;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
