import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import {
  CandescentAuthError,
  CandescentForbiddenError,
  CandescentInvalidCredentialsError,
  type CandescentService,
  CandescentSessionExpiredError,
} from '../errors/candescent-auth.error';
import { CandescentLogger } from '../logging/candescent-logger';
import { CandescentMetrics } from '../metrics/candescent-metrics';
import { forgetSecret, registerPermanentSecret, registerSecret } from '../logging/redact';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CANDESCENT_STORE, type CandescentStore } from '../store/candescent-store.interface';
import { CandescentClock } from './candescent-clock';
import type { CandescentToken } from './candescent-token.interface';
import { CandescentTokenClient } from './candescent-token.client';
import { validateLoginCredentials } from './login-credentials.dto';
import { isUsable, refreshAt } from './refresh-schedule';
import { SharedTokenCache } from './shared-token.cache';
import { SingleFlight } from './single-flight';
import type { CandescentTokenSet } from './token-set.interface';

interface CachedToken {
  token: CandescentToken;
  /** Candescent has accepted it at least once (reported by the outgoing interceptor). */
  accepted?: boolean;
  refreshAt: number;
  /** No background renewal before this time (after a failed or useless one). */
  nextAttemptAt: number;
}

/** Options of one institution token request. */
export interface InstitutionTokenRequest {
  /** The token service to ask. @default the configured `institutionTokenService` */
  service?: CandescentService;
  /** V2 scopes. @default the configured `scopes` */
  scopes?: string[];
}

/** Per-login context. */
export interface LoginContext {
  /** The end user's device IP, forwarded as `originating_ip` (V1) when well formed. */
  originatingIp?: string;
}

/** Institution token keys kept at most (one per service and scope set in practice). */
const MAX_CACHED_KEYS = 1_000;

const hash = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * The module's token API. Institution tokens are cached per (service, FI, scopes), renewed ahead
 * of expiry in the background, and fetched by exactly one request per key however many callers
 * wait. Customer tokens are returned to the caller (sessions keep them); their refresh is
 * single-flight per refresh token, so a rotating refresh token is never sent twice.
 */
@Injectable()
export class CandescentTokenService {
  private readonly logger = new CandescentLogger('CandescentTokenService');
  private readonly cache = new Map<string, CachedToken>();
  private readonly tokenFlights = new SingleFlight<CandescentToken>();
  private readonly refreshFlights = new SingleFlight<CandescentToken>();
  /** Rotated refresh tokens → their replacement, so a late caller with the old set gets the new one. */
  private readonly rotated: LRUCache<string, CandescentToken>;
  /** Rejections of the app's own credentials, per key, remembered for `invalidClientCacheMs`. */
  private readonly rejected = new Map<string, { error: CandescentAuthError; until: number }>();
  /** When each key's token was last dropped because Candescent refused it. */
  private readonly forcedAt = new Map<string, number>();
  /** Prefix of every cache key: the same FI through another gateway or app is another token. */
  private readonly clientId: string;
  /** The key of the common call, `getInstitutionToken()` without arguments, built once. */
  private readonly defaultKey: string;

  /** Set when the store is shared by instances (Redis): institution tokens are shared too. */
  private readonly shared?: SharedTokenCache;

  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    private readonly client: CandescentTokenClient,
    private readonly clock: CandescentClock,
    @Inject(CANDESCENT_STORE) store: CandescentStore,
  ) {
    if (options.redis) this.shared = new SharedTokenCache(store, options, () => clock.now());
    registerPermanentSecret(options.consumerSecret);
    this.clientId = createHash('sha256').update(`${options.origin}\n${options.consumerKey}`).digest('base64url').slice(0, 16);
    const service = options.institutionTokenService;
    this.defaultKey = this.keyFor(service, service === 'v2' ? [...options.scopes].sort() : []);
    this.rotated = new LRUCache({ max: 10_000, ttl: 60_000, ttlAutopurge: false, perf: { now: () => clock.now() } });
  }

  /**
   * The institution (client_credentials) token: cached, renewed ahead of expiry, one request per
   * key in flight. A failed background renewal does not fail callers while the cached token is
   * still valid.
   */
  async getInstitutionToken(request: InstitutionTokenRequest = {}): Promise<CandescentToken> {
    const service = request.service ?? this.options.institutionTokenService;
    const scopes = service === 'v2' ? [...(request.scopes ?? this.options.scopes)].sort() : [];
    const key = request.service === undefined && request.scopes === undefined ? this.defaultKey : this.keyFor(service, scopes);
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && isUsable(cached.token, now)) {
      CandescentMetrics.tokenCache(now >= cached.refreshAt ? 'refresh-ahead' : 'hit', service);
      if (now >= cached.refreshAt && now >= cached.nextAttemptAt && !this.tokenFlights.has(key)) {
        cached.nextAttemptAt = now + Math.max(1_000, (cached.token.expiresAt - now) / 4);
        this.fetchInstitutionToken(key, service, scopes).catch((error: unknown) => {
          this.logger.warn(`Renewing the ${service} institution token failed; the current one stays in use.`, error);
        });
      }
      return cached.token;
    }
    CandescentMetrics.tokenCache('miss', service);
    return this.fetchInstitutionToken(key, service, scopes);
  }

  /** Exchanges customer credentials for a token set on every configured token service. */
  async login(credentials: unknown, context: LoginContext = {}): Promise<CandescentTokenSet> {
    const { username, password } = validateLoginCredentials(credentials);
    const results = await Promise.allSettled(
      this.options.tokenServices.map((service) =>
        this.client.requestToken(service, { grant: 'password', username, password, originatingIp: context.originatingIp }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const tokens = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      // All or nothing: a half-logged-in customer would fail later on the other service's paths.
      await Promise.allSettled(tokens.filter((t) => t.service === 'v2').map((t) => this.revoke(t)));
      throw failed.reason;
    }
    for (const token of tokens) this.remember(token);
    const v1 = tokens.find((t) => t.service === 'v1');
    const v2 = tokens.find((t) => t.service === 'v2');
    return {
      customer: { fiId: v1?.fiId ?? this.options.fiId, loginId: username, fiCustomerId: v1?.fiCustomerId, memberNumber: v1?.memberNumber },
      v1,
      v2,
    };
  }

  /**
   * Renews a customer token set through V2. The V1 token cannot be renewed (V1 has no refresh
   * grant): it is kept while valid and dropped after. Concurrent refreshes of the same set share
   * one request; a caller holding the already-rotated set receives the new tokens.
   * @throws CandescentSessionExpiredError when nothing can be renewed any more.
   */
  async refresh(tokenSet: CandescentTokenSet): Promise<CandescentTokenSet> {
    const now = this.clock.now();
    const v1 = tokenSet.v1 && isUsable(tokenSet.v1, now) ? tokenSet.v1 : undefined;
    const current = tokenSet.v2;
    if (!current?.refreshToken || (current.refreshTokenExpiresAt !== undefined && now >= current.refreshTokenExpiresAt)) {
      if (v1 || (current && isUsable(current, now))) return { ...tokenSet, v1 };
      throw new CandescentSessionExpiredError('The customer tokens have expired and cannot be renewed; log in again.', {
        errorType: 'USER_ERROR',
        errorCode: 'SESSION_EXPIRED',
      });
    }
    const refreshToken = current.refreshToken;
    const key = hash(refreshToken);
    const v2 =
      this.rotated.get(key) ??
      (await this.refreshFlights.run(key, async () => {
        const next = await this.client.requestToken('v2', { grant: 'refresh_token', refreshToken });
        const renewed: CandescentToken = { ...next, refreshToken: next.refreshToken ?? refreshToken, scopes: current.scopes };
        this.rotated.set(key, renewed);
        this.remember(renewed);
        return renewed;
      }));
    return { ...tokenSet, v1, v2 };
  }

  /**
   * Revokes a token, or every revocable token of a set (V2; revoking the refresh token ends the
   * access tokens issued from it). V1 tokens have no revocation endpoint: they are only dropped.
   */
  async revoke(target: string | CandescentToken | CandescentTokenSet): Promise<void> {
    const tokens: string[] = [];
    if (typeof target === 'string') tokens.push(target);
    else if ('customer' in target) {
      if (target.v2) tokens.push(target.v2.refreshToken ?? target.v2.accessToken);
    } else if (target.service === 'v2') tokens.push(target.refreshToken ?? target.accessToken);
    if (tokens.length > 0 && !this.options.tokenServices.includes('v2')) return;
    for (const token of tokens) {
      await this.client.revokeToken(token);
      this.invalidate(token);
    }
  }

  /**
   * Drops a cached institution token, by access token value or by cache key, so the next call
   * fetches a new one (used when Candescent answers 401 to a token the cache still holds).
   * @returns whether anything was dropped
   */
  invalidate(accessTokenOrKey: string): boolean {
    let dropped = false;
    for (const [key, entry] of this.cache) {
      if (key === accessTokenOrKey || entry.token.accessToken === accessTokenOrKey) {
        dropped = this.cache.delete(key) || dropped;
        void this.shared?.drop(key, entry.token.accessToken);
      }
    }
    return dropped;
  }

  /**
   * Candescent refused `accessToken` (401): drop it so the next call fetches another. A
   * replacement refused before it ever worked is kept for `tokenRefusalCooldownMs`: the call is
   * refused, not the token, and fetching again would cost a token request per call.
   * @returns whether the token was dropped
   */
  reportRejected(accessToken: string): boolean {
    const now = this.clock.now();
    for (const [key, entry] of this.cache) {
      if (entry.token.accessToken !== accessToken) continue;
      const last = this.forcedAt.get(key);
      // A replacement that was refused before it ever worked: the call is refused, not the token.
      const freshReplacement = last !== undefined && entry.token.issuedAt >= last && !entry.accepted;
      if (freshReplacement && now - last < this.options.tokenRefusalCooldownMs) return false;
      this.forcedAt.set(key, now);
      return this.invalidate(key);
    }
    return false;
  }

  /** Candescent accepted `accessToken` (a 2xx with it): later refusals of it are worth a renewal. */
  reportAccepted(accessToken: string): void {
    for (const entry of this.cache.values()) {
      if (entry.token.accessToken === accessToken) entry.accepted = true;
    }
  }

  private keyFor(service: CandescentService, scopes: readonly string[]): string {
    return `institution:${this.clientId}:${service}:${this.options.fiId}:${scopes.join(' ')}`;
  }

  private fetchInstitutionToken(key: string, service: CandescentService, scopes: string[]): Promise<CandescentToken> {
    return this.tokenFlights.run(key, async () => {
      const rejected = this.rejected.get(key);
      if (rejected && this.clock.now() < rejected.until) throw rejected.error;
      this.rejected.delete(key);
      try {
        const request = () => this.client.requestToken(service, { grant: 'client_credentials', scopes });
        const token = this.shared ? await this.shared.obtain(key, request) : await request();
        this.remember(token);
        const previous = this.cache.get(key);
        if (previous && previous.token.accessToken !== token.accessToken) forgetSecret(previous.token.accessToken);
        const at = refreshAt(token, this.options);
        this.cache.delete(key);
        this.cache.set(key, { token, refreshAt: at, nextAttemptAt: at });
        // Scopes can come from callers: keep the map bounded, oldest key first.
        if (this.cache.size > MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value ?? key);
        return token;
      } catch (error: unknown) {
        if (error instanceof CandescentForbiddenError || error instanceof CandescentInvalidCredentialsError) {
          // A wrong secret stays wrong: do not send a token request per caller.
          this.rejected.set(key, { error, until: this.clock.now() + this.options.invalidClientCacheMs });
        }
        throw error;
      }
    });
  }

  private remember(token: CandescentToken): void {
    registerSecret(token.accessToken);
    registerSecret(token.refreshToken);
  }
}
