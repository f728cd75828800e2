import { createHash } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';

/** A session as the hand-written guard keeps it: the token set as JSON. */
interface HandSession {
  expiresAt: number;
  tokens: unknown;
}

/**
 * The reference guard: one sha256 of the bearer handle, one `Map` lookup, one `JSON.parse`,
 * one expiry check. What a team writes when it keeps sessions in memory by hand.
 */
@Injectable()
export class HandWrittenGuard implements CanActivate {
  private readonly sessions = new Map<string, string>();

  /** Stores a session under the hash of its handle, never the handle. */
  add(handle: string, tokens: unknown, ttlMs: number): void {
    this.sessions.set(sha256(handle), JSON.stringify({ expiresAt: Date.now() + ttlMs, tokens }));
  }

  canActivate(execution: ExecutionContext): boolean {
    const request = execution
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; session?: HandSession }>();
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const stored = match ? this.sessions.get(sha256(match[1])) : undefined;
    const session = stored === undefined ? undefined : (JSON.parse(stored) as HandSession);
    if (!session || session.expiresAt <= Date.now()) throw new UnauthorizedException('no valid session');
    request.session = session;
    return true;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
