import { isIP } from 'node:net';
import type { InternalAxiosRequestConfig } from 'axios';
import { CandescentInvalidRequestError } from '../errors/candescent-auth.error';
import type { CandescentService } from '../token/candescent-service';

/** Every header the module may add to a downstream call (lower case). */
export const CANDESCENT_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'di_tid',
  'di_fiid',
  'transactionid',
  'institutionid',
  'originating_ip',
  'offering_id',
]);

/** What the headers of one downstream call are made of. */
export interface DownstreamHeaderInput {
  service: CandescentService;
  accessToken: string;
  traceId: string;
  fiId: string;
  userAgent: string;
  originatingIp?: string;
}

const SAFE_VALUE = /^[\x20-\x7e]*$/;

/**
 * Builds the headers of a downstream call: Bearer token, trace id and FI id under the names
 * the service expects, user-agent, and `originating_ip` when it is a well-formed IP. Refuses a
 * value with CR, LF or other non-printable characters rather than send it.
 */
export function candescentHeaders(input: DownstreamHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${input.accessToken}`,
    'User-Agent': input.userAgent,
  };
  if (input.service === 'v1') {
    headers.di_tid = input.traceId;
    headers.di_fiid = input.fiId;
  } else {
    headers.transactionId = input.traceId;
    headers.institutionId = input.fiId;
  }
  const ip = input.originatingIp;
  if (ip && isIP(ip)) headers.originating_ip = ip;
  for (const [name, value] of Object.entries(headers)) {
    if (!SAFE_VALUE.test(value) || value.length > 8192) {
      throw new CandescentInvalidRequestError(
        `Refusing to send header ${name}: its value has non-printable characters or is too long.`,
        {
          errorType: 'SYSTEM_ERROR',
          errorCode: 'INVALID_HEADER_VALUE',
        },
      );
    }
  }
  return headers;
}

/**
 * Puts the headers of {@link candescentHeaders} on a request, in place of any the request has under
 * the same names in another letter case. Written straight onto the `AxiosHeaders` (it keeps each
 * header as an own property): `set` would look up and clean every name and value again on every
 * call, and these are checked already.
 */
export function putCandescentHeaders(
  headers: InternalAxiosRequestConfig['headers'],
  values: Record<string, string>,
): void {
  const target = headers as unknown as Record<string, unknown>;
  for (const name of Object.keys(target)) {
    if (Object.hasOwn(values, name) || !CANDESCENT_HEADER_NAMES.has(name.toLowerCase())) continue;
    const lower = name.toLowerCase();
    for (const own of Object.keys(values))
      if (own.toLowerCase() === lower) {
        Reflect.deleteProperty(target, name);
        break;
      }
  }
  Object.assign(target, values);
}
