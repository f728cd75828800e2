import { LRUCache } from 'lru-cache';
import { sha256Base64Url } from '../crypto/sha256';
import { CandescentSessionExpiredError } from '../errors/candescent-auth.error';
import { registerPermanentSecret } from '../logging/redact';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentClock } from './candescent-clock';
import type { CandescentService } from './candescent-service';
import type { CandescentToken } from './candescent-token.interface';
import type { CandescentTokenClient } from './candescent-token.client';
import { validateLoginCredentials } from './login-credentials.dto';
import { isUsable } from './refresh-schedule';
import { InstitutionTokenCache, type CandescentInstitutionTokenRequest } from './institution-token.cache';
import { SingleFlight } from './single-flight';
import type { CandescentTokenSet } from './token-set.interface';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

export type { CandescentInstitutionTokenRequest };

/** Per-login context. */
export interface CandescentLoginContext {
  /** The end user's device IP, forwarded as `originating_ip` (V1) when well formed. */
  originatingIp?: string;
  /**
   * The institution the customer logs in at (its id). An institution the module does not serve
   * is refused with 400 `UNKNOWN_INSTITUTION` before anything is sent.
   * @default the default institution (the first)
   */
  institution?: string;
}

/**
 * The token API of one institution (`CandescentTokenService` routes to it). Institution tokens
 * are cached per (service, FI, scopes), renewed ahead of expiry in the background, and fetched
 * by exactly one request per key however many callers wait (see `InstitutionTokenCache`).
 * Customer tokens are returned to the caller (sessions keep them); their refresh is
 * single-flight per refresh token, so a rotating refresh token is never sent twice. Each
 * institution has its own, so one FI's outage or refusals never hold another's up.
 */
@RedactedWhenPrinted()
export class InstitutionTokenService {
  private readonly institution: InstitutionTokenCache;
  private readonly refreshFlights = new SingleFlight<CandescentToken>();
  /** Rotated refresh tokens → their replacement, so a late caller with the old set gets the new one. */
  /**
   * Made at the first refresh: lru-cache allocates its index arrays for the whole bound up front
   * (about 380 KB for 10,000 entries), which a module with hundreds of institutions, most of
   * them serving no customer refresh at a given moment, would pay for each.
   */
  #rotated?: LRUCache<string, CandescentToken>;

  constructor(
    private readonly options: ResolvedCandescentAuthOptions,
    private readonly client: CandescentTokenClient,
    private readonly clock: CandescentClock,
    store: CandescentStore,
  ) {
    registerPermanentSecret(options.consumerSecret);
    this.institution = new InstitutionTokenCache(
      options,
      client,
      () => clock.now(),
      store,
      (ms) => clock.sleep(ms),
    );
  }

  /**
   * The institution (client_credentials) token: cached, renewed ahead of expiry, one request per
   * key in flight. A failed background renewal does not fail callers while the cached token is
   * still valid.
   */
  getInstitutionToken(request: CandescentInstitutionTokenRequest = {}): Promise<CandescentToken> {
    return this.institution.get(request);
  }

  /** The cached institution token of `service` (configured scopes) when usable now, else undefined. */
  institutionTokenNow(service: CandescentService): CandescentToken | undefined {
    return this.institution.usableNow(service);
  }

  /** Exchanges customer credentials for a token set on every configured token service. */
  async login(credentials: unknown, context: CandescentLoginContext = {}): Promise<CandescentTokenSet> {
    const { username, password } = validateLoginCredentials(credentials);
    const results = await Promise.allSettled(
      this.options.tokenServices.map((service) =>
        this.client.requestToken(service, {
          grant: 'password',
          username,
          password,
          originatingIp: context.originatingIp,
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const tokens = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      // All or nothing: a half-logged-in customer would fail later on the other service's paths.
      await Promise.allSettled(tokens.filter((t) => t.service === 'v2').map((t) => this.revoke(t)));
      throw failed.reason;
    }
    const v1 = tokens.find((t) => t.service === 'v1');
    const v2 = tokens.find((t) => t.service === 'v2');
    return {
      customer: {
        fiId: v1?.fiId ?? this.options.fiId,
        loginId: username,
        fiCustomerId: v1?.fiCustomerId,
        memberNumber: v1?.memberNumber,
      },
      v1,
      v2,
    };
  }

  private rotated(): LRUCache<string, CandescentToken> {
    return (this.#rotated ??= new LRUCache({
      max: 10_000,
      ttl: 60_000,
      ttlAutopurge: false,
      perf: { now: () => this.clock.now() },
    }));
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
    if (
      !current?.refreshToken ||
      (current.refreshTokenExpiresAt !== undefined && now >= current.refreshTokenExpiresAt)
    ) {
      if (v1 || (current && isUsable(current, now))) return { ...tokenSet, v1 };
      throw new CandescentSessionExpiredError('The customer tokens have expired and cannot be renewed; log in again.', {
        errorType: 'USER_ERROR',
        errorCode: 'SESSION_EXPIRED',
      });
    }
    const refreshToken = current.refreshToken;
    const key = sha256Base64Url(refreshToken);
    const v2 =
      this.rotated().get(key) ??
      (await this.refreshFlights.run(key, async () => {
        const next = await this.client.requestToken('v2', { grant: 'refresh_token', refreshToken });
        const renewed: CandescentToken = {
          ...next,
          refreshToken: next.refreshToken ?? refreshToken,
          scopes: current.scopes,
        };
        this.rotated().set(key, renewed);
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
   * fetches a new one.
   * @returns whether anything was dropped
   */
  invalidate(accessTokenOrKey: string): boolean {
    return this.institution.invalidate(accessTokenOrKey);
  }

  /** Drops every cached institution token of this institution (it was replaced or removed). */
  dropInstitutionTokens(): void {
    this.institution.dropAll();
  }

  /**
   * Candescent refused an institution token (401): drop it so the next call fetches another,
   * unless it is a replacement refused before it ever worked (see `tokenRefusalCooldownMs`).
   * @returns whether the token was dropped
   */
  reportRejected(accessToken: string): boolean {
    return this.institution.reportRejected(accessToken);
  }

  /** Candescent accepted an institution token (a 2xx with it). */
  reportAccepted(accessToken: string): void {
    this.institution.reportAccepted(accessToken);
  }
}
