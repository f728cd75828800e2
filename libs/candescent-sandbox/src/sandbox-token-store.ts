import { randomBytes, randomUUID } from 'node:crypto';

/** Which token service issued a token; neither accepts the other's tokens. */
export type TokenService = 'v1' | 'v2';

/** What the sandbox remembers about an access token. */
export interface AccessTokenRecord {
  token: string;
  service: TokenService;
  /** Grant of the request that issued it (`refresh_token` after a rotation). */
  grant: string;
  fiId: string;
  /** Absent for institution (client_credentials) tokens. */
  fiCustomerId?: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
  /** Login session the token belongs to; revoking its refresh token kills the whole chain. */
  chainId?: string;
}

interface RefreshTokenRecord {
  token: string;
  service: TokenService;
  fiId: string;
  fiCustomerId: string;
  scopes: string[];
  expiresAt: number;
  dead: boolean;
  chainId: string;
}

/** A request to mint tokens. */
export interface IssueRequest {
  service: TokenService;
  grant: string;
  fiId: string;
  fiCustomerId?: string;
  scopes: string[];
  accessTtlSeconds: number;
  /** When set, a refresh token is minted too. */
  refreshTtlSeconds?: number;
  /** Continue an existing login chain (refresh grant) instead of starting one. */
  chainId?: string;
  /** Hand out the previous access token for this client/grant again (the `same-token` fault). */
  reusePrevious?: boolean;
}

/** The tokens minted for one request. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
}

/** A live refresh token taken out of circulation by `consumeRefresh`. */
export type ConsumedRefresh = Omit<RefreshTokenRecord, 'dead' | 'expiresAt' | 'token'>;

const PRUNE_EVERY_ISSUES = 1000;

/**
 * Opaque tokens with expiry, rotation and revocation. Tokens are random base64url strings, not
 * JWTs, because the real service promises nothing about their content.
 */
export class SandboxTokenStore {
  private readonly access = new Map<string, AccessTokenRecord>();
  private readonly refresh = new Map<string, RefreshTokenRecord>();
  private readonly chains = new Map<string, Set<string>>();
  private readonly lastAccessByKey = new Map<string, string>();
  private issuesSincePrune = 0;

  constructor(private readonly now: () => number) {}

  issue(request: IssueRequest): IssuedTokens {
    this.pruneOccasionally();
    const chainId = request.refreshTtlSeconds !== undefined ? (request.chainId ?? randomUUID()) : request.chainId;
    const key = reuseKey(request);
    const previous = request.reusePrevious ? this.access.get(this.lastAccessByKey.get(key) ?? '') : undefined;
    const accessToken = previous?.token ?? newToken();
    this.access.set(accessToken, {
      token: accessToken,
      service: request.service,
      grant: request.grant,
      fiId: request.fiId,
      fiCustomerId: request.fiCustomerId,
      scopes: [...request.scopes],
      expiresAt: this.now() + request.accessTtlSeconds * 1000,
      revoked: false,
      chainId,
    });
    this.lastAccessByKey.set(key, accessToken);
    if (chainId !== undefined) this.chainMembers(chainId).add(accessToken);
    if (request.refreshTtlSeconds === undefined || chainId === undefined || request.fiCustomerId === undefined) {
      return { accessToken };
    }
    const refreshToken = newToken();
    this.refresh.set(refreshToken, {
      token: refreshToken,
      service: request.service,
      fiId: request.fiId,
      fiCustomerId: request.fiCustomerId,
      scopes: [...request.scopes],
      expiresAt: this.now() + request.refreshTtlSeconds * 1000,
      dead: false,
      chainId,
    });
    this.chainMembers(chainId).add(refreshToken);
    return { accessToken, refreshToken };
  }

  /** The record of a live access token, or undefined when unknown, expired or revoked. */
  findAccess(token: string): AccessTokenRecord | undefined {
    const record = this.access.get(token);
    if (!record || record.revoked || this.now() >= record.expiresAt) return undefined;
    return { ...record, scopes: [...record.scopes] };
  }

  /** Any record for the token, dead or alive, for reporting which grant a rejected token had. */
  describeAccess(token: string): AccessTokenRecord | undefined {
    const record = this.access.get(token);
    return record && { ...record, scopes: [...record.scopes] };
  }

  /** The FI an access or refresh token was issued for, dead or alive; undefined when never issued here. */
  fiIdOf(token: string): string | undefined {
    return (this.access.get(token) ?? this.refresh.get(token))?.fiId;
  }

  isAccessTokenValid(token: string): boolean {
    return this.findAccess(token) !== undefined;
  }

  /**
   * Takes a live refresh token of the given service and kills it in the same step, so two
   * concurrent refreshes with one token cannot both succeed (the real service rotates too).
   */
  consumeRefresh(token: string, service: TokenService): ConsumedRefresh | undefined {
    const record = this.refresh.get(token);
    if (!record || record.dead || record.service !== service || this.now() >= record.expiresAt) return undefined;
    record.dead = true;
    return {
      service: record.service,
      fiId: record.fiId,
      fiCustomerId: record.fiCustomerId,
      scopes: [...record.scopes],
      chainId: record.chainId,
    };
  }

  /**
   * Revokes one token of the given service: an access token alone, or a refresh token together
   * with every token of its login chain. Unknown tokens are ignored, as RFC 7009 asks.
   */
  revoke(token: string, service: TokenService): void {
    const accessRecord = this.access.get(token);
    if (accessRecord?.service === service) accessRecord.revoked = true;
    const refreshRecord = this.refresh.get(token);
    if (refreshRecord?.service !== service) return;
    for (const member of this.chains.get(refreshRecord.chainId) ?? []) {
      const memberAccess = this.access.get(member);
      if (memberAccess) memberAccess.revoked = true;
      const memberRefresh = this.refresh.get(member);
      if (memberRefresh) memberRefresh.dead = true;
    }
  }

  revokeAll(): void {
    for (const record of this.access.values()) record.revoked = true;
    for (const record of this.refresh.values()) record.dead = true;
  }

  private chainMembers(chainId: string): Set<string> {
    let members = this.chains.get(chainId);
    if (!members) {
      members = new Set();
      this.chains.set(chainId, members);
    }
    return members;
  }

  // Long benchmark runs mint many tokens; dropping expired ones keeps memory flat and changes
  // nothing observable, since an expired token is as invalid as an unknown one.
  private pruneOccasionally(): void {
    if (++this.issuesSincePrune < PRUNE_EVERY_ISSUES) return;
    this.issuesSincePrune = 0;
    const now = this.now();
    for (const [token, record] of this.access) {
      if (now >= record.expiresAt) {
        this.access.delete(token);
        if (record.chainId !== undefined) this.chains.get(record.chainId)?.delete(token);
      }
    }
    for (const [token, record] of this.refresh) {
      if (now >= record.expiresAt || record.dead) {
        this.refresh.delete(token);
        this.chains.get(record.chainId)?.delete(token);
      }
    }
    for (const [chainId, members] of this.chains) {
      if (members.size === 0) this.chains.delete(chainId);
    }
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

// Customer tokens share a key across password and refresh grants, so `same-token` after a
// refresh hands back the customer's previous access token.
function reuseKey(request: IssueRequest): string {
  return request.fiCustomerId !== undefined
    ? `${request.service}|${request.fiId}|customer|${request.fiCustomerId}`
    : `${request.service}|${request.fiId}|${request.grant}|${[...request.scopes].sort().join(' ')}`;
}
