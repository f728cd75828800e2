import { Injectable } from '@nestjs/common';
import { CandescentInstitutions } from '../institutions/candescent-institutions.service';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';
import { DEFAULT_INSTITUTION_ID } from '../options/candescent-auth.defaults';
import type { CandescentToken } from './candescent-token.interface';
import type { CandescentInstitutionTokenRequest, CandescentLoginContext } from './institution-token.service';
import type { CandescentTokenSet } from './token-set.interface';

export type { CandescentInstitutionTokenRequest, CandescentLoginContext };

/** The institution a customer token set belongs to (its id). */
export function institutionOf(tokens: Pick<CandescentTokenSet, 'customer'>): string {
  return tokens.customer.institution ?? DEFAULT_INSTITUTION_ID;
}

/**
 * The module's token API, for every institution it serves. Institution tokens are cached per
 * institution, service and scopes, renewed ahead of expiry in the background, and fetched by
 * exactly one request per key however many callers wait. Customer tokens are returned to the
 * caller (sessions keep them), marked with their institution; their refresh is single-flight per
 * refresh token, so a rotating refresh token is never sent twice. Each institution has its own
 * caches, cooldowns and circuit breakers: one FI's outage never holds another's up. Calls that
 * name no institution are for the default one (the first), so an app with one FI never names it.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentTokenService {
  constructor(private readonly institutions: CandescentInstitutions) {}

  /**
   * The institution (client_credentials) token of `request.institution` (default: the first):
   * cached, renewed ahead of expiry, one request per key in flight. A failed background renewal
   * does not fail callers while the cached token is still valid.
   */
  getInstitutionToken(request: CandescentInstitutionTokenRequest = {}): Promise<CandescentToken> {
    return this.institutions.runtime(request.institution).tokens.getInstitutionToken(request);
  }

  /**
   * Exchanges customer credentials for a token set on every token service of the institution
   * (`context.institution`, default: the first). An institution the module does not serve is
   * refused before anything is sent.
   */
  async login(credentials: unknown, context: CandescentLoginContext = {}): Promise<CandescentTokenSet> {
    const runtime = this.institutions.runtime(context.institution);
    const tokens = await runtime.tokens.login(credentials, context);
    // The single FI of top-level options is left unnamed: every byte of a session is kept per session.
    if (runtime.id === DEFAULT_INSTITUTION_ID) return tokens;
    return { ...tokens, customer: { ...tokens.customer, institution: runtime.id } };
  }

  /**
   * Renews a customer token set through V2, at the institution it belongs to. The V1 token
   * cannot be renewed (V1 has no refresh grant): it is kept while valid and dropped after.
   * Concurrent refreshes of the same set share one request; a caller holding the already-rotated
   * set receives the new tokens.
   * @throws CandescentSessionExpiredError when nothing can be renewed any more.
   */
  refresh(tokenSet: CandescentTokenSet): Promise<CandescentTokenSet> {
    return this.institutions.runtime(institutionOf(tokenSet)).tokens.refresh(tokenSet);
  }

  /**
   * Revokes a token, or every revocable token of a set (V2; revoking the refresh token ends the
   * access tokens issued from it), at the set's institution or `institution` (default: the
   * first). V1 tokens have no revocation endpoint: they are only dropped.
   */
  revoke(target: string | CandescentToken | CandescentTokenSet, institution?: string): Promise<void> {
    const id = typeof target === 'object' && 'customer' in target ? institutionOf(target) : institution;
    return this.institutions.runtime(id).tokens.revoke(target);
  }

  /**
   * Drops a cached institution token, by access token value or by cache key, so the next call
   * fetches a new one: at `institution`, or at every institution when none is named.
   * @returns whether anything was dropped
   */
  invalidate(accessTokenOrKey: string, institution?: string): boolean {
    if (institution !== undefined) return this.institutions.runtime(institution).tokens.invalidate(accessTokenOrKey);
    let dropped = false;
    for (const runtime of this.institutions.all()) dropped = runtime.tokens.invalidate(accessTokenOrKey) || dropped;
    return dropped;
  }
}
