import { sha256Base64Url } from '../crypto/sha256';
import {
  type CandescentAuthError,
  CandescentForbiddenError,
  CandescentInvalidCredentialsError,
} from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import { CandescentLogger } from '../logging/candescent-logger';
import { registerSecret } from '../logging/redact';
import { CandescentMetrics } from '../metrics/candescent-metrics';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentToken } from './candescent-token.interface';
import type { CandescentTokenClient } from './candescent-token.client';
import { isUsable, refreshAt } from './refresh-schedule';
import { SharedTokenCache } from './shared-token.cache';
import { RefusalCooldown } from './refusal-cooldown';
import { SingleFlight } from './single-flight';
import { onceMoreAfterRenewalAhead } from '../resilience/token-failure.policy';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

interface CachedToken {
  token: CandescentToken;
  refreshAt: number;
  /** No background renewal before this time (after a failed or useless one). */
  nextAttemptAt: number;
}

/** Options of one institution token request. */
export interface CandescentInstitutionTokenRequest {
  /** The token service to ask. @default the configured `institutionTokenService` */
  service?: CandescentService;
  /** V2 scopes. @default the configured `scopes` */
  scopes?: string[];
  /** The institution whose token it is (its id). @default the default institution (the first) */
  institution?: string;
}

/** Institution token keys kept at most (one per service and scope set in practice). */
const MAX_CACHED_KEYS = 1_000;

/** The least time between two renewals ahead of one institution token (the first failed). */
const RENEWAL_RETRY_FLOOR_MS = 250;

/**
 * Institution (client_credentials) tokens, cached per (gateway and app, service, FI, scopes),
 * renewed ahead of expiry in the background, and fetched by exactly one request per key however
 * many callers wait; shared across instances when the store is.
 */
@RedactedWhenPrinted()
export class InstitutionTokenCache {
  private readonly logger = new CandescentLogger('CandescentTokenService');
  private readonly cache = new Map<string, CachedToken>();
  private readonly flights = new SingleFlight<CandescentToken>();
  /** Keys whose fetch under way is a renewal ahead (nobody waited for it when it began). */
  private readonly renewingAhead = new Set<string>();
  /** Rejections of the app's own credentials, per key, remembered for `invalidClientCacheMs`. */
  private readonly rejected = new Map<string, { error: CandescentAuthError; until: number }>();
  /** Per key, the token fetched because Candescent refused the previous one. */
  private readonly refusals: RefusalCooldown;
  /** Prefix of every key: the same FI through another gateway or app is another token. */
  private readonly clientId: string;
  /** The keys of the common calls (the configured scopes), built once. */
  private readonly v1Key: string;
  private readonly v2Key: string;
  /** Set when the store is shared by instances (Redis). */
  private readonly shared?: SharedTokenCache;

  constructor(
    private readonly options: ResolvedCandescentAuthOptions,
    private readonly client: CandescentTokenClient,
    private readonly now: () => number,
    store: CandescentStore,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    // The store says whether other instances see it, however it was configured (`redis`, or `store`).
    if (store.sharedBetweenInstances === true) this.shared = new SharedTokenCache(store, options, now);
    this.refusals = new RefusalCooldown(options.tokenRefusalCooldownMs, now, MAX_CACHED_KEYS);
    this.clientId = sha256Base64Url(`${options.origin}\n${options.consumerKey}`).slice(0, 16);
    this.v1Key = this.keyFor('v1', []);
    this.v2Key = this.keyFor('v2', this.scopesFor('v2', undefined));
  }

  /**
   * A usable token: from the cache (renewed in the background when due) or fetched once. Callers
   * that find the token run out while a renewal ahead is still under way wait for it; if it fails
   * in a way another attempt may cure, they get one more fetch, shared among them (after the
   * service's `Retry-After`, when it sent one within `retry.maxDelayMs`): that renewal
   * began before anyone waited for it, and may have spent its attempts before they came.
   */
  async get(request: CandescentInstitutionTokenRequest = {}): Promise<CandescentToken> {
    const service = request.service ?? this.options.institutionTokenService;
    const explicit = request.scopes === undefined ? undefined : this.scopesFor(service, request.scopes);
    const key = explicit === undefined ? this.keyOf(service) : this.keyFor(service, explicit);
    const cached = this.fromCache(key, service, explicit);
    if (cached) return cached;
    CandescentMetrics.tokenCache('miss', service, this.options.institutionId);
    const scopes = explicit ?? this.scopesFor(service, undefined);
    return onceMoreAfterRenewalAhead(
      this.renewingAhead.has(key),
      () => this.fetchInstitutionToken(key, service, scopes),
      { maxDelayMs: this.options.retry.maxDelayMs, sleep: this.sleep },
    );
  }

  /**
   * The cached token of `service` with the configured scopes when it is usable now (renewed in
   * the background when due), else undefined and nothing is counted: the caller then asks `get`.
   * Synchronous, so a call with a cached token does not wait for a promise.
   */
  usableNow(service: CandescentService): CandescentToken | undefined {
    return this.fromCache(this.keyOf(service), service, undefined);
  }

  private fromCache(
    key: string,
    service: CandescentService,
    scopes: string[] | undefined,
  ): CandescentToken | undefined {
    const now = this.now();
    const cached = this.cache.get(key);
    if (!cached || !isUsable(cached.token, now)) return undefined;
    CandescentMetrics.tokenCache(
      now >= cached.refreshAt ? 'refresh-ahead' : 'hit',
      service,
      this.options.institutionId,
    );
    if (now >= cached.refreshAt && now >= cached.nextAttemptAt && !this.flights.has(key)) {
      // A quarter of what is left, so a failed renewal is tried again before the token ends, even
      // a short-lived one's (a 4 s token is renewed in its last 0.8 s); never more than 4 a second.
      cached.nextAttemptAt = now + Math.max(RENEWAL_RETRY_FLOOR_MS, (cached.token.expiresAt - now) / 4);
      this.renewingAhead.add(key);
      this.fetchInstitutionToken(key, service, scopes ?? this.scopesFor(service, undefined))
        .catch((error: unknown) => {
          this.logger.warn(`Renewing the ${service} institution token failed; the current one stays in use.`, error);
        })
        .finally(() => this.renewingAhead.delete(key));
    }
    return cached.token;
  }

  private scopesFor(service: CandescentService, scopes: readonly string[] | undefined): string[] {
    return service === 'v2' ? [...(scopes ?? this.options.scopes)].sort() : [];
  }

  /** The key of `service` with the configured scopes, built once per service. */
  private keyOf(service: CandescentService): string {
    return service === 'v1' ? this.v1Key : this.v2Key;
  }

  /** Drops every cached token (the institution was replaced or removed). */
  dropAll(): void {
    for (const key of [...this.cache.keys()]) this.invalidate(key);
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
    for (const [key, entry] of this.cache) {
      if (entry.token.accessToken !== accessToken) continue;
      if (this.refusals.holds(key, accessToken)) return false;
      this.refusals.refused(key);
      return this.invalidate(key);
    }
    return false;
  }

  /** Candescent accepted `accessToken` (a 2xx with it): later refusals of it are worth a renewal. */
  reportAccepted(accessToken: string): void {
    for (const [key, entry] of this.cache) {
      if (entry.token.accessToken === accessToken) this.refusals.accepted(key, accessToken);
    }
  }

  private keyFor(service: CandescentService, scopes: readonly string[]): string {
    return `institution:${this.clientId}:${service}:${this.options.fiId}:${scopes.join(' ')}`;
  }

  private fetchInstitutionToken(key: string, service: CandescentService, scopes: string[]): Promise<CandescentToken> {
    return this.flights.run(key, async () => {
      const rejected = this.rejected.get(key);
      if (rejected && this.now() < rejected.until) throw rejected.error;
      this.rejected.delete(key);
      try {
        const request = () => this.client.requestToken(service, { grant: 'client_credentials', scopes });
        const token = this.shared ? await this.shared.obtain(key, request) : await request();
        registerSecret(token.accessToken);
        this.refusals.replacedBy(key, token);
        const at = refreshAt(token, this.options);
        this.cache.delete(key);
        this.cache.set(key, { token, refreshAt: at, nextAttemptAt: at });
        // Scopes can come from callers: keep the map bounded, oldest key first.
        if (this.cache.size > MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value ?? key);
        return token;
      } catch (error: unknown) {
        if (error instanceof CandescentForbiddenError || error instanceof CandescentInvalidCredentialsError) {
          // A wrong secret stays wrong: do not send a token request per caller.
          this.rejected.set(key, { error, until: this.now() + this.options.invalidClientCacheMs });
          trim(this.rejected);
        }
        throw error;
      }
    });
  }
}

/** Keeps a per-key map as bounded as the cache itself, oldest key first. */
function trim(map: Map<string, unknown>): void {
  while (map.size > MAX_CACHED_KEYS) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) return;
    map.delete(oldest);
  }
}
