import { randomUUID } from 'node:crypto';
import { axiosConnectionSettings } from '../http/candescent-http.options';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { CandescentProtocolError, CandescentTimeoutError } from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import { classifyNetworkError } from './network-error.classifier';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { basicAuthorization } from './basic-authorization';
import type { TokenHttpResponse } from './token-response.parser';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** Hard limit of a token service answer; the documented ones are well under 4 KiB. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** One HTTP exchange with a token service, before parsing. */
export interface TokenExchange {
  response: TokenHttpResponse;
  traceId: string;
  receivedAt: number;
}

/** What one token-service request needs besides the fixed headers. */
export interface TokenServiceRequest {
  service: CandescentService;
  method: 'POST' | 'DELETE';
  path: string;
  form: Record<string, string | undefined>;
  /** Sent as `di_fiid` / `institutionId`; V2 refresh and revoke may leave it out. */
  includeFiId: boolean;
  /** The end user's device IP; sent only when it is a well-formed IP. */
  originatingIp?: string;
  /** Time left for this attempt. */
  timeoutMs: number;
  now: () => number;
}

/**
 * Sends one attempt to a Candescent token service: Basic auth, a fresh trace id, the FI header,
 * user-agent, optional offering id and originating IP, and a form body. Uses its own axios
 * instance (no interceptors, no redirects, bounded body) so token requests never pass through
 * the outgoing interceptor that adds bearer tokens.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentTokenHttpClient {
  private readonly http: AxiosInstance;
  private readonly basicAuth: string;

  constructor(@Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions) {
    this.basicAuth = basicAuthorization(options.consumerKey, options.consumerSecret);
    this.http = axios.create({
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
      maxBodyLength: MAX_TOKEN_RESPONSE_BYTES,
      ...axiosConnectionSettings(options.http),
    });
  }

  /** Sends the request once; resolves with any HTTP answer, rejects with a typed error otherwise. */
  async send(request: TokenServiceRequest): Promise<TokenExchange> {
    const traceId = randomUUID();
    const headers = this.headers(request, traceId);
    const body = new URLSearchParams(
      Object.entries(request.form).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, request.timeoutMs);
    try {
      const res = await this.http.request<string>({
        url: this.options.baseUrl + request.path,
        method: request.method,
        headers,
        data: body,
        signal: controller.signal,
      });
      const receivedAt = request.now();
      const responseHeaders: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(res.headers as Record<string, unknown>)) {
        if (typeof value === 'string' || typeof value === 'number') responseHeaders[name.toLowerCase()] = String(value);
        else if (Array.isArray(value)) responseHeaders[name.toLowerCase()] = value.join(', ');
      }
      const text = typeof res.data === 'string' ? res.data : '';
      return { response: { status: res.status, headers: responseHeaders, body: text }, traceId, receivedAt };
    } catch (error: unknown) {
      if (controller.signal.aborted) {
        throw new CandescentTimeoutError(
          `Candescent ${request.service.toUpperCase()} token service did not answer within ${request.timeoutMs} ms.`,
          { service: request.service, traceId, errorType: 'SYSTEM_ERROR', errorCode: 'TIMEOUT' },
        );
      }
      if (isAxiosError(error) && /maxContentLength/.test(error.message)) {
        // The service answered, with far more than any token response: a protocol problem, not a
        // network one, so it is not retried and does not count as the service being down.
        throw new CandescentProtocolError(
          `Candescent ${request.service.toUpperCase()} token service answered with a body larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes.`,
          { service: request.service, traceId, errorType: 'SYSTEM_ERROR', errorCode: 'MALFORMED_BODY' },
        );
      }
      throw classifyNetworkError(error, { service: request.service, traceId });
    } finally {
      clearTimeout(timer);
    }
  }

  private headers(request: TokenServiceRequest, traceId: string): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: this.basicAuth,
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': this.options.userAgent,
    };
    const ip = request.originatingIp?.trim();
    if (request.service === 'v1') {
      headers.di_tid = traceId;
      headers.di_fiid = this.options.fiId;
      headers.Accept = 'application/xml, application/json;q=0.9';
      if (this.options.offeringId) headers.offering_id = this.options.offeringId;
      if (ip && isIP(ip)) headers.originating_ip = ip;
    } else {
      headers.transactionId = traceId;
      if (request.includeFiId) headers.institutionId = this.options.fiId;
      headers.Accept = 'application/json';
    }
    return headers;
  }
}
