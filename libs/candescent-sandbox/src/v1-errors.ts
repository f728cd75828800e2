import { jsonResponse, xmlEscape, xmlResponse, type SandboxResponse } from './sandbox-responses';

/** `errorType` values of the V1 `<Status>` document. */
export type V1ErrorType = 'USER_ERROR' | 'SYSTEM_ERROR' | 'APP_ERROR';

/** One V1 error as the contract lists it: status, overloaded code and message together. */
export interface V1Error {
  status: number;
  code: string;
  message: string;
  type: V1ErrorType;
}

/** How the caller wants V1 errors rendered. */
export interface V1Format {
  json: boolean;
  errorInfo: 'single' | 'many';
}

const NAMESPACE = 'http://schema.intuit.com/fs/common/v2';

/** The documented V1 errors. */
export const V1_ERRORS = {
  headerInvalid: (name?: string): V1Error => ({
    status: 400,
    code: '90002',
    message: name === undefined ? 'Header invalid' : `Header '${name}' invalid`,
    type: 'APP_ERROR',
  }),
  formParamInvalid: (name: string): V1Error => ({
    status: 400,
    code: '90002',
    message: `Form param '${name}' invalid`,
    type: name === 'grant_type' ? 'APP_ERROR' : 'USER_ERROR',
  }),
  loginInvalid: { status: 401, code: '90001', message: 'login credentials are not valid', type: 'USER_ERROR' },
  fiNotAuthorized: { status: 401, code: '90001', message: 'di_fiid not authorized', type: 'APP_ERROR' },
  customerNotAuthorized: { status: 401, code: '90001', message: 'di_ficustomer not authorized', type: 'USER_ERROR' },
  clientCredentialsNotSupported: {
    status: 403,
    code: '90001',
    message: 'app does not support client credentials',
    type: 'APP_ERROR',
  },
  quota: { status: 500, code: '90001', message: 'Quota limit violation', type: 'SYSTEM_ERROR' },
  spike: { status: 500, code: '92000', message: 'Spike arrest violation', type: 'SYSTEM_ERROR' },
  serverError: {
    status: 500,
    code: '90003',
    message: 'Internal Service Error - contact DI team',
    type: 'SYSTEM_ERROR',
  },
} satisfies Record<string, V1Error | ((name: string) => V1Error)>;

/**
 * A V1 `Status` document. With `errorInfo: 'many'` the entry is repeated, as the newer spec's
 * array form allows, so clients are exercised on both shapes.
 */
export function v1ErrorResponse(error: V1Error, format: V1Format): SandboxResponse {
  const info = { errorType: error.type, errorCode: error.code, errorMessage: error.message };
  const infos = format.errorInfo === 'many' ? [info, { ...info }] : [info];
  if (format.json) {
    return jsonResponse(error.status, {
      statusMessage: error.message,
      errorInfo: format.errorInfo === 'many' ? infos : info,
    });
  }
  const entries = infos
    .map(
      (entry) =>
        `  <errorInfo>\n    <errorType>${xmlEscape(entry.errorType)}</errorType>\n` +
        `    <errorCode>${xmlEscape(entry.errorCode)}</errorCode>\n` +
        `    <errorMessage>${xmlEscape(entry.errorMessage)}</errorMessage>\n  </errorInfo>`,
    )
    .join('\n');
  const statusMessage = `  <statusMessage>${xmlEscape(error.message)}</statusMessage>`;
  return xmlResponse(error.status, `<Status xmlns="${NAMESPACE}">\n${statusMessage}\n${entries}\n</Status>`);
}
