import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { constantTimeEqual } from '../crypto/constant-time-equal';
import { sha256Base64Url } from '../crypto/sha256';
import { CandescentContext } from '../context/request-context';
import { CandescentSessionRejectedError, CandescentUnavailableError } from '../errors/candescent-auth.error';
import { CandescentLogger } from '../logging/candescent-logger';
import { CandescentMetrics } from '../metrics/candescent-metrics';
import { tagInstitution, traceSession, traceSessionRenewal, type ModuleSpan } from '../metrics/candescent-tracing';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CANDESCENT_STORE, type CandescentStore, getMany } from '../store/candescent-store.interface';
import { isSessionValueKey, sessionKeys } from '../store/session-keys';
import { leaseAcross, waitForLock } from '../store/store-lock';
import { CandescentClock } from '../token/candescent-clock';
import { CandescentInstitutions } from '../institutions/candescent-institutions.service';
import { AdmittedHandles } from './admitted-handles';
import { CandescentTokenService, institutionOf } from '../token/candescent-token.service';
import { isUsable, refreshAt, shareOfHash } from '../token/refresh-schedule';
import { SingleFlight } from '../token/single-flight';
import type { CandescentTokenSet } from '../token/token-set.interface';
import { hashHandle, isSessionHandle, newCsrfToken, newSessionHandle } from './session-handle';
import { AccountSessions, accountOf } from './account-sessions';
import { QuietRevoker } from './quiet-revoker';
import { SessionRecords, type SessionWithSeen } from './session-records';
import { renewalOf } from './session-renewal';
import { RefreshSpender } from './refresh-spender';
import { SharedRefusals } from './shared-refusals';
import type {
  AuthenticatedSession,
  CandescentLoginResult,
  CandescentSessionLoginContext,
  StoredSession,
} from './stored-session.interface';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';
import { onceMoreAfterRenewalAhead } from '../resilience/token-failure.policy';

/**
 * How often at most a request waiting for a session's renewal lock reads the session to see
 * whether the holder already did its work (a lock a failover left behind pauses it otherwise).
 */
const SETTLED_CHECK_MS = 500;

/** Pause after a failed renewal ahead of time before a request starts another. */
const RENEW_AHEAD_PAUSE_MS = 250;

/**
 * Server-side customer sessions. Login runs the password grant (on every configured token
 * service), keeps the token set under the hash of a new 256-bit handle and gives the client
 * only the handle. Sessions slide with use up to an absolute limit; their tokens are renewed
 * under a store lock, one renewal per session across instances.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentSessionService implements OnModuleDestroy {
  private readonly logger = new CandescentLogger('CandescentSessionService');
  private readonly renewals = new SingleFlight<CandescentTokenSet>();
  /** Sessions whose renewal ahead of time just failed, and when the next may start. */
  private readonly renewAfter = new LRUCache<string, number>({ max: 10_000 });
  /** Sessions whose renewal under way is one ahead of time (nobody waited for it when it began). */
  private readonly renewingAhead = new Set<string>();
  /** Store ids of the handles admitted lately (no SHA-256 per returning request). */
  private readonly handles = new AdmittedHandles();
  private destroyed = false;
  /** Per session, the V2 token last obtained because Candescent refused the previous one (in the store). */
  private readonly refusals: SharedRefusals;
  private readonly records: SessionRecords;
  private readonly accounts: AccountSessions;
  private readonly revoker: QuietRevoker;
  /** A session renewal's lease: the refresh request, its deadline included, plus a margin. */
  private readonly renewalLeaseMs: number;
  /** Spends a session's refresh token once across instances, or adopts what another one got for it. */
  private readonly spender: RefreshSpender;
  private evictions = 0;

  /** @internal Made by Nest's injector. */
  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    @Inject(CANDESCENT_STORE) private readonly store: CandescentStore,
    private readonly tokens: CandescentTokenService,
    private readonly clock: CandescentClock,
    private readonly institutions: CandescentInstitutions,
  ) {
    const { idleTimeoutMs, absoluteTimeoutMs, maxSessionsPerAccount } = options.session;
    const now = () => clock.now();
    this.refusals = new SharedRefusals(options.tokenRefusalCooldownMs, now);
    this.records = new SessionRecords(store, now, idleTimeoutMs, (id, session) => {
      this.refusals.observe(id, session);
    });
    this.accounts = new AccountSessions(store, maxSessionsPerAccount, absoluteTimeoutMs + idleTimeoutMs);
    this.revoker = new QuietRevoker(tokens);
    this.renewalLeaseMs = leaseAcross(options.requestDeadlineMs);
    this.spender = new RefreshSpender({
      store,
      records: this.records,
      tokens,
      clock,
      leaseMs: this.renewalLeaseMs,
      stopped: () => this.destroyed,
      expire: (id, session) => this.end(id, session, 'expired'),
    });
    store.onEvicted?.((key, value) => {
      this.evicted(key, value);
    });
  }

  /**
   * Logs the customer in and opens a session. The password is used once and not kept. Sessions
   * the client presented (`context.presentedSessionTokens`) end, and the account's oldest
   * session ends when the login would exceed `session.maxSessionsPerAccount`; their tokens are
   * revoked. When the session cannot be stored, the new tokens are revoked before the error is
   * thrown.
   */
  login(credentials: unknown, context: CandescentSessionLoginContext = {}): Promise<CandescentLoginResult> {
    const login = () =>
      traceSession('login', this.options.tokenServices, (span) => this.openSession(credentials, context, span));
    // A login request carries no session handle, so it has no request context of its own.
    const { traceId } = context;
    return traceId === undefined || CandescentContext.current() ? login() : CandescentContext.run({ traceId }, login);
  }

  private async openSession(
    credentials: unknown,
    context: CandescentSessionLoginContext,
    span: ModuleSpan,
  ): Promise<CandescentLoginResult> {
    const { presentedSessionTokens = [], ...loginContext } = context;
    const tokens = await this.tokens.login(credentials, loginContext);
    const institution = institutionOf(tokens);
    tagInstitution(span, institution);
    const handle = newSessionHandle();
    const id = hashHandle(handle);
    const now = this.clock.now();
    const csrfToken = this.options.session.transport === 'cookie' ? newCsrfToken() : undefined;
    // Neither the account (derived from the tokens' customer when needed) nor revision 0 (what a
    // missing `rev` reads as) is stored: every byte of the value is held per open session.
    const account = accountOf(this.options.consumerSecret, tokens.customer, this.options.session.loginIdMatching);
    const session: StoredSession = {
      v: 1,
      tokens,
      csrfHash: csrfToken && sha256Base64Url(csrfToken),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.options.session.absoluteTimeoutMs,
    };
    let displaced: string[];
    try {
      await this.records.create(id, session);
      displaced = await this.accounts.add(account, id, async (listed) =>
        (await getMany(this.store, listed.map(sessionKeys.value))).map((value) => value !== undefined),
      );
    } catch (error: unknown) {
      // The customer gets an error, not a session: the tokens just issued must not stay alive upstream.
      await Promise.all([
        this.revoker.revoke(tokens, 'of a login whose session could not be stored'),
        this.store.delete(sessionKeys.value(id)).catch(() => undefined),
      ]);
      throw error;
    }
    CandescentMetrics.session('login', institution);
    const replaced = presentedSessionTokens.filter(isSessionHandle).map(hashHandle);
    await Promise.all([
      ...displaced.map((old) => this.endQuietly(old, 'of the oldest session of an account over its session cap')),
      ...replaced
        .filter((old) => old !== id)
        .map((old) => this.endQuietly(old, 'of a session replaced by a new login')),
    ]);
    return {
      sessionToken: handle,
      expiresAt: this.expiresAt(session),
      absoluteExpiresAt: session.absoluteExpiresAt,
      csrfToken,
      customer: tokens.customer,
    };
  }

  /**
   * Checks a handle and returns its session. Tokens due for renewal that still work are renewed
   * in the background while this request uses them; tokens that no longer work are renewed first.
   * @throws CandescentSessionRejectedError (401) with the reason: missing, invalid, expired, revoked
   * @internal The guard's step; apps guard routes with `CandescentAuthGuard`.
   */
  async authenticate(handle: string | undefined, traceId?: string): Promise<AuthenticatedSession> {
    const given = present(handle, traceId);
    const id = this.idOf(given, traceId);
    return this.remembered(
      given,
      this.records.readWithSeen(id).then((found) => this.check(id, found, traceId)),
    );
  }

  /**
   * {@link authenticate} for the guard, answered without a promise when the store keeps its
   * values in this process (the memory store) and the session needs nothing done: no renewal,
   * no activity to record, no ending. Anything else goes the way of {@link authenticate}. Throws
   * a missing or malformed handle's refusal synchronously.
   * @internal
   */
  admit(handle: string | undefined): AuthenticatedSession | Promise<AuthenticatedSession> {
    const given = present(handle);
    const id = this.idOf(given);
    const read = this.records.readWithSeenNow(id);
    if (read === undefined)
      return this.remembered(
        given,
        this.records.readWithSeen(id).then((found) => this.check(id, found)),
      );
    const asIs = this.admitAsIs(id, read);
    if (asIs === undefined) return this.remembered(given, this.check(id, read));
    this.handles.admitted(given, id);
    return asIs;
  }

  /**
   * The store id of a handle: remembered for the handles admitted lately, else its hash once its
   * shape is checked (a malformed one is refused).
   */
  private idOf(handle: string, traceId?: string): string {
    const known = this.handles.known(handle);
    if (known !== undefined) return known;
    if (!isSessionHandle(handle)) throw new CandescentSessionRejectedError('invalid', traceId);
    return hashHandle(handle);
  }

  /** The check's outcome, with the handle remembered when it admits and forgotten when it refuses. */
  private remembered(handle: string, checked: Promise<AuthenticatedSession>): Promise<AuthenticatedSession> {
    return checked.then(
      (authenticated) => {
        this.handles.admitted(handle, authenticated.id);
        return authenticated;
      },
      (error: unknown) => {
        this.handles.refused(handle);
        throw error;
      },
    );
  }

  /** The session as read when it is admitted with nothing to do; undefined when `check` has work. */
  private admitAsIs(id: string, { session: stored, seen }: SessionWithSeen): AuthenticatedSession | undefined {
    if (!stored || !this.institutions.has(institutionOf(stored.tokens))) return undefined;
    const lastSeenAt = Math.max(stored.lastSeenAt, Number(seen) || 0);
    const now = this.clock.now();
    if (this.renewalDue(id, stored.tokens, now) || this.activityDue(lastSeenAt, now)) return undefined;
    const session = { ...stored, lastSeenAt };
    const expiresAt = this.expiresAt(session);
    return now < expiresAt ? { id, session, expiresAt } : undefined;
  }

  private async check(
    id: string,
    { session: stored, seen }: SessionWithSeen,
    traceId?: string,
  ): Promise<AuthenticatedSession> {
    if (!stored) throw new CandescentSessionRejectedError(await this.records.endReason(id), traceId);
    let session: StoredSession = { ...stored, lastSeenAt: Math.max(stored.lastSeenAt, Number(seen) || 0) };
    const now = this.clock.now();
    if (!this.institutions.has(institutionOf(session.tokens))) {
      // Removed at run time: nothing of the institution is kept to renew or revoke with.
      await this.end(id, session, 'revoked');
      throw new CandescentSessionRejectedError('removed', traceId);
    }
    if (now >= this.expiresAt(session)) {
      await this.end(id, session, 'expired');
      // Its refresh token would otherwise keep working upstream for anyone who has it.
      await this.revoker.revoke(session.tokens, 'of a session that expired');
      throw new CandescentSessionRejectedError('expired', traceId);
    }
    if (this.renewalDue(id, session.tokens, now)) {
      // Tokens that still work serve this request while the renewal runs: nobody waits for the
      // token service (or its retries) until the tokens really run out.
      if (this.anyUsable(session.tokens, now)) this.renewAhead(id, now);
      else session = { ...session, tokens: await this.renewForRequest(id) };
    }
    if (this.activityDue(session.lastSeenAt, now)) {
      // Activity goes to its own key: rewriting the session here could undo a logout or put back
      // a refresh token that another request just spent.
      session = { ...session, lastSeenAt: now };
      // Only the last idle period matters; a key left behind by a late write after logout fades soon.
      await this.store.set(sessionKeys.seen(id), String(now), this.options.session.idleTimeoutMs + 60_000);
    }
    return { id, session, expiresAt: this.expiresAt(session) };
  }

  /**
   * Renews for a request that cannot be served until it has. When the request joined a renewal
   * ahead still under way and that one failed in a way another attempt may cure, the request gets
   * one renewal of its own, shared with the others that joined (after the service's `Retry-After`,
   * when it sent one within `retry.maxDelayMs`): the renewal ahead began before
   * anyone waited for it, and may have spent its attempts before they came.
   */
  private renewForRequest(id: string): Promise<CandescentTokenSet> {
    return onceMoreAfterRenewalAhead(this.renewingAhead.has(id), () => this.renew(id), {
      maxDelayMs: this.options.retry.maxDelayMs,
      sleep: (ms) => this.clock.sleep(ms),
    });
  }

  /**
   * Renews the tokens of a session under a store lock. With `rejectedAccessToken` (Candescent
   * just refused it) the renewal is forced, unless another request already replaced that token.
   */
  renew(id: string, rejectedAccessToken?: string): Promise<CandescentTokenSet> {
    return traceSessionRenewal(rejectedAccessToken !== undefined, (span) =>
      this.renewOnce(id, rejectedAccessToken, span),
    );
  }

  private renewOnce(
    id: string,
    rejectedAccessToken: string | undefined,
    span: ModuleSpan,
  ): Promise<CandescentTokenSet> {
    return this.renewals.run(`${id}:${rejectedAccessToken ?? ''}`, async () => {
      const lockKey = sessionKeys.lock(id);
      let settled: CandescentTokenSet | undefined;
      const fence = await this.lock(lockKey, async () => {
        settled = await this.renewedMeanwhile(id, rejectedAccessToken);
        return settled !== undefined;
      });
      if (fence === undefined) return settled as CandescentTokenSet;
      try {
        const read = await this.records.readForUpdate(id);
        if (!read) throw new CandescentSessionRejectedError(await this.records.endReason(id));
        const { session } = read;
        tagInstitution(span, institutionOf(session.tokens));
        // A long-lived request (a server-sent events stream) renews on its own, with no request
        // through the guard: idle and absolute expiry still end the session here.
        if (this.clock.now() >= this.expiresAt({ ...session, lastSeenAt: read.lastSeenAt })) {
          await this.end(id, session, 'expired');
          await this.revoker.revoke(session.tokens, 'of a session that expired');
          throw new CandescentSessionRejectedError('expired');
        }
        const { v1, v2 } = session.tokens;
        let tokens = session.tokens;
        let refusal = session.refusal;
        if (rejectedAccessToken !== undefined) {
          if (rejectedAccessToken !== v1?.accessToken && rejectedAccessToken !== v2?.accessToken) return tokens;
          // A refused V1 token cannot be renewed (V1 has no refresh grant): drop it.
          if (rejectedAccessToken === v1?.accessToken) tokens = { ...tokens, v1: undefined };
          if (rejectedAccessToken === v2?.accessToken) {
            // The record is the session's, so what one instance decided holds on every other.
            if (this.refusals.holds(session.refusal, rejectedAccessToken)) return tokens;
            const refusedAt = this.clock.now();
            const renewed = await this.spender.refreshOrEnd(id, session, tokens);
            if (renewed.adopted) return renewed.tokens;
            tokens = renewed.tokens;
            refusal = this.refusals.record(refusedAt, tokens.v2);
          }
        } else if (this.renewalDue(id, tokens, this.clock.now())) {
          const renewed = await this.spender.refreshOrEnd(id, session, tokens);
          if (renewed.adopted) return renewed.tokens;
          tokens = renewed.tokens;
        }
        if (tokens === session.tokens) return tokens;
        if (!this.anyUsable(tokens, this.clock.now())) {
          await this.end(id, session, 'expired');
          throw new CandescentSessionRejectedError('expired');
        }
        const update = await this.records.update(id, read, renewalOf(session, tokens, refusal), fence);
        if (update.outcome === 'ended') {
          // Logged out meanwhile: never resurrect the session, and the fresh tokens would outlive it unrevoked.
          await this.revoker.revoke(tokens, 'of a renewal that finished after its session ended');
          throw new CandescentSessionRejectedError(await this.records.endReason(id));
        }
        if (update.outcome === 'unstored') {
          this.logger.warn(
            'Renewed customer tokens could not be stored (the renewal lock expired); using them for this request only.',
          );
          return tokens;
        }
        // Superseded: another instance rotated the refresh token first, and its tokens stand.
        if (update.outcome === 'written') CandescentMetrics.session('renewed', institutionOf(tokens));
        return update.session.tokens;
      } finally {
        await this.store.releaseLock(lockKey, fence).catch(() => undefined);
      }
    });
  }

  /**
   * Starts a renewal nobody waits for. After one fails, the next waits a moment (a token service
   * that refuses is not asked again by every request); a rejected session ends here, and its next
   * request is told why.
   */
  private renewAhead(id: string, now: number): void {
    if (this.renewals.has(`${id}:`) || (this.renewAfter.get(id) ?? 0) > now) return;
    this.renewingAhead.add(id);
    this.renew(id)
      .then(
        () => this.renewAfter.delete(id),
        (error: unknown) => {
          this.renewAfter.set(id, this.clock.now() + RENEW_AHEAD_PAUSE_MS);
          if (error instanceof CandescentSessionRejectedError) return;
          this.logger.warn('Renewing customer tokens failed; the current ones stay in use.', error);
        },
      )
      .finally(() => this.renewingAhead.delete(id));
  }

  /** @internal Candescent accepted a call with this session's token: a later refusal of it is worth a renewal. */
  reportAccepted(id: string, accessToken: string): void {
    this.refusals.accepted(this.records, id, accessToken);
  }

  /** Ends a session: revokes its V2 tokens (best effort) and deletes it. */
  logout(id: string): Promise<void> {
    return traceSession('logout', this.options.tokenServices, (span) => this.endSession(id, span));
  }

  private async endSession(id: string, span: ModuleSpan): Promise<void> {
    const session = await this.records.read(id);
    if (!session) return;
    const institution = institutionOf(session.tokens);
    tagInstitution(span, institution);
    await this.end(id, session, 'revoked');
    CandescentMetrics.session('logout', institution);
    // The session is gone locally either way; its tokens expire on their own if this fails.
    await this.revoker.revoke(session.tokens, 'at logout');
  }

  /** Stops waiting for store locks; pending renewals fail fast instead of polling a closed store. */
  onModuleDestroy(): void {
    this.destroyed = true;
  }

  /** @internal Whether a stored CSRF hash matches the token the client sent. */
  csrfMatches(session: StoredSession, token: string | undefined): boolean {
    if (!session.csrfHash || !token || token.length > 256) return false;
    return constantTimeEqual(sha256Base64Url(token), session.csrfHash);
  }

  /**
   * The stored tokens, when they already make the renewal asked for unnecessary (the refused token
   * was replaced, or renewal is no longer due): what the lock's holder stored. Undefined when the
   * renewal is still needed, or the session could not be read (the lock decides then).
   */
  private async renewedMeanwhile(id: string, rejectedAccessToken?: string): Promise<CandescentTokenSet | undefined> {
    const latest = await this.records.read(id).catch(() => undefined);
    if (!latest) return undefined;
    const { v1, v2 } = latest.tokens;
    const needed =
      rejectedAccessToken === undefined
        ? this.renewalDue(id, latest.tokens, this.clock.now())
        : rejectedAccessToken === v1?.accessToken || rejectedAccessToken === v2?.accessToken;
    return needed ? undefined : latest.tokens;
  }

  private renewalDue(id: string, tokens: CandescentTokenSet, now: number): boolean {
    const { v1, v2 } = tokens;
    // Each session's own share of the jitter: sessions opened together (a morning login storm)
    // do not all renew together.
    if (v2?.refreshToken) return now >= refreshAt(v2, this.options, () => shareOfHash(id));
    return (v1 !== undefined && !isUsable(v1, now)) || (v2 !== undefined && !isUsable(v2, now));
  }

  /** Whether a request now should record activity: at most once a minute (or a tenth of the idle timeout). */
  private activityDue(lastSeenAt: number, now: number): boolean {
    return now - lastSeenAt > Math.min(60_000, this.options.session.idleTimeoutMs / 10);
  }

  private anyUsable(tokens: CandescentTokenSet, now: number): boolean {
    return [tokens.v1, tokens.v2].some((t) => t !== undefined && isUsable(t, now));
  }

  private expiresAt(session: StoredSession): number {
    return Math.min(session.absoluteExpiresAt, session.lastSeenAt + this.options.session.idleTimeoutMs);
  }

  /**
   * The session's renewal lock, or undefined once `settled` says the wait is pointless: it is
   * asked at most every `SETTLED_CHECK_MS` while the lock stays taken.
   */
  private async lock(lockKey: string, settled: () => Promise<boolean>): Promise<string | undefined> {
    // The lease outlives the longest refresh (deadline included), so it cannot lapse mid-renewal.
    const leaseMs = this.renewalLeaseMs;
    let checkedAt = performance.now();
    const check = { done: false };
    const fence = await waitForLock(this.store, lockKey, {
      leaseMs,
      waitMs: leaseMs,
      now: () => this.clock.now(),
      stop: async () => {
        if (this.destroyed) return true;
        if (performance.now() - checkedAt < SETTLED_CHECK_MS) return false;
        checkedAt = performance.now();
        check.done = await settled();
        return check.done;
      },
    });
    if (fence !== undefined || check.done) return fence;
    const traceId = CandescentContext.current()?.traceId;
    // How the fleet works is for operators; the customer only needs to try again.
    this.logger.warn(
      `The renewal lock of a session stayed taken for ${leaseMs} ms (another instance renewing, or it died holding it)${traceId ? ` (trace ${traceId})` : ''}.`,
    );
    throw new CandescentUnavailableError('The session is busy; try again shortly.', {
      errorType: 'SYSTEM_ERROR',
      errorCode: 'SESSION_LOCKED',
      traceId,
    });
  }

  private async end(id: string, session: StoredSession, reason: 'expired' | 'revoked'): Promise<void> {
    if (reason === 'expired') CandescentMetrics.session('expired', institutionOf(session.tokens));
    await this.records.end(id, session, reason);
  }

  /** Ends a session other than the caller's (displaced or replaced) and revokes its tokens; never throws. */
  private async endQuietly(id: string, why: string): Promise<void> {
    try {
      const session = await this.records.read(id);
      if (!session) return;
      await this.end(id, session, 'revoked');
      await this.revoker.revoke(session.tokens, why);
    } catch (error: unknown) {
      this.logger.warn(
        `Ending a session failed; the customer tokens ${why} stay valid upstream until they expire.`,
        error,
      );
    }
  }

  /** A session the memory store dropped to stay within its bound: its tokens must not live on. */
  private evicted(key: string, value: string): void {
    if (!isSessionValueKey(key)) return;
    // The first drop and then every thousandth: a flood of them must not flood the log too.
    if (this.evictions++ % 1_000 === 0) {
      this.logger.warn(
        `The memory store was full and dropped a session (${this.evictions} so far); its customer has to log in again. Use the Redis store for more sessions.`,
      );
    }
    try {
      const session = JSON.parse(value) as StoredSession;
      void this.revoker.revoke(session.tokens, 'of a session dropped from the full memory store');
    } catch {
      // Not a session this module wrote; nothing to revoke.
    }
  }
}

/** The handle, when there is one; refuses a missing one. */
function present(handle: string | undefined, traceId?: string): string {
  if (handle === undefined || handle === '') throw new CandescentSessionRejectedError('missing', traceId);
  return handle;
}
