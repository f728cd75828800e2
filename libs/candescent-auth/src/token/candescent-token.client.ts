import { Inject, Injectable } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import { classifyTokenError } from './token-error.classifier';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { TokenRequestExecutor } from '../resilience/token-request.executor';
import { CandescentClock } from './candescent-clock';
import type { CandescentToken } from './candescent-token.interface';
import { CandescentTokenHttpClient, type TokenServiceRequest } from './token-http.client';
import { parseTokenSuccess } from './token-response.parser';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** One grant to run against a token service. */
export type TokenGrantRequest =
  | { grant: 'client_credentials'; scopes?: string[] }
  | { grant: 'password'; username: string; password: string; scopes?: string[]; originatingIp?: string }
  | { grant: 'refresh_token'; refreshToken: string; scopes?: string[] };

/**
 * Speaks both token services as documented: V1 `password` and `client_credentials`, V2
 * `client_credentials`, `password`, `refresh_token` and revocation. Every call goes through the
 * executor (timeouts, retries, circuit breaker) and every answer through the parsers (typed
 * token or typed error).
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentTokenClient {
  readonly executor: TokenRequestExecutor;

  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    private readonly http: CandescentTokenHttpClient,
    private readonly clock: CandescentClock,
  ) {
    this.executor = new TokenRequestExecutor(options, {
      now: () => clock.now(),
      sleep: (ms) => clock.sleep(ms),
      // Read at each draw, so a test can pin the jitter after the module is built.
      random: () => Math.random(),
    });
  }

  /** Runs one grant and returns the validated token. */
  async requestToken(service: CandescentService, request: TokenGrantRequest): Promise<CandescentToken> {
    if (service === 'v1' && request.grant === 'refresh_token') {
      throw new CandescentConfigurationError(
        'The V1 token service has no refresh_token grant; refresh customer tokens through V2.',
      );
    }
    const scopes = service === 'v2' ? (request.scopes ?? this.options.scopes) : undefined;
    const form: Record<string, string | undefined> = { grant_type: request.grant };
    if (request.grant === 'password') {
      form.username = request.username;
      form.password = request.password;
    } else if (request.grant === 'refresh_token') {
      form.refresh_token = request.refreshToken;
    }
    if (scopes && scopes.length > 0 && request.grant !== 'refresh_token') form.scopes = scopes.join(' ');
    const base: Omit<TokenServiceRequest, 'timeoutMs'> = {
      service,
      method: 'POST',
      path: service === 'v1' ? this.options.v1TokenPath : this.options.v2TokenPath,
      form,
      includeFiId: true,
      originatingIp: request.grant === 'password' ? request.originatingIp : undefined,
      now: () => this.clock.now(),
    };
    return this.executor.execute(service, request.grant, async (timeoutMs) => {
      const exchange = await this.http.send({ ...base, timeoutMs });
      const ctx = { service, grant: request.grant, traceId: exchange.traceId };
      if (exchange.response.status < 200 || exchange.response.status >= 300) {
        throw classifyTokenError(exchange.response, { ...ctx, sensitive: sensitiveValues(request) });
      }
      return parseTokenSuccess(exchange.response, {
        ...ctx,
        receivedAt: exchange.receivedAt,
        scopes: scopes && scopes.length > 0 ? scopes : undefined,
        defaultExpiresInSeconds: this.options.defaultExpiresInSeconds,
        maxExpiresInSeconds: this.options.maxExpiresInSeconds,
      });
    });
  }

  /** Revokes an access or refresh token at the V2 revocation endpoint (204 on success). */
  async revokeToken(token: string): Promise<void> {
    await this.executor.execute('v2', 'revoke', async (timeoutMs) => {
      const exchange = await this.http.send({
        service: 'v2',
        method: 'DELETE',
        path: this.options.v2RevokePath,
        form: { token },
        includeFiId: true,
        timeoutMs,
        now: () => this.clock.now(),
      });
      if (exchange.response.status < 200 || exchange.response.status >= 300) {
        throw classifyTokenError(exchange.response, { service: 'v2', traceId: exchange.traceId, sensitive: [token] });
      }
    });
  }
}

/** What a grant request sends that an error answer must never repeat. */
function sensitiveValues(request: TokenGrantRequest): string[] {
  if (request.grant === 'password') return [request.password];
  if (request.grant === 'refresh_token') return [request.refreshToken];
  return [];
}
