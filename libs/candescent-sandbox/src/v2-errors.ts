import { isUuid } from './request-checks';
import { jsonResponse, type SandboxResponse } from './sandbox-responses';

/** One V2 error: HTTP status, `CMN_900xx` code and message. */
export interface V2Error {
  status: number;
  code: string;
  message: string;
}

/** The documented V2 errors the sandbox produces. */
export const V2_ERRORS = {
  clientNotAuthorized: { status: 401, code: 'CMN_90001', message: 'client not authorized' },
  invalidCredentials: { status: 401, code: 'CMN_90004', message: 'invalid credentials' },
  badInstitutionId: { status: 400, code: 'CMN_90005', message: 'bad header institutionId' },
  forbidden: { status: 403, code: 'CMN_90006', message: 'not authorized to access this resource' },
  invalidGrantType: { status: 400, code: 'CMN_90007', message: 'invalid grant type' },
  badTransactionId: { status: 400, code: 'CMN_90008', message: 'bad header transactionId' },
  invalidRequest: (detail?: string): V2Error => ({
    status: 400,
    code: 'CMN_90010',
    message: detail === undefined ? 'invalid request' : `invalid request: ${detail}`,
  }),
  invalidScope: { status: 400, code: 'CMN_90011', message: 'invalid request: scope' },
  usernamePasswordInvalid: { status: 400, code: 'CMN_90012', message: 'username/password invalid' },
  invalidTokenOrUser: { status: 400, code: 'CMN_90013', message: 'invalid token or user' },
  invalidUserCredentials: { status: 401, code: 'CMN_90015', message: 'invalid user credentials' },
  nonPrintable: { status: 400, code: 'CMN_90016', message: 'non-printable characters' },
  quota: { status: 500, code: 'CMN_90001', message: 'quota limit violation' },
  spike: { status: 500, code: 'CMN_90002', message: 'spike arrest violation' },
  serverError: { status: 500, code: 'CMN_90000', message: 'internal server error' },
} satisfies Record<string, V2Error | ((detail?: string) => V2Error)>;

/** `{"code":"CMN_900xx","message":"..."}` with the given status. */
export function v2ErrorResponse(error: V2Error, headers: Record<string, string> = {}): SandboxResponse {
  return jsonResponse(error.status, { code: error.code, message: error.message }, headers);
}

/** V2 echoes `transactionId` in a response header; only a well-formed one is worth echoing. */
export function transactionIdEcho(transactionId: string | undefined): Record<string, string> {
  return transactionId !== undefined && isUuid(transactionId) ? { transactionId } : {};
}
