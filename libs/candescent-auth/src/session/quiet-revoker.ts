import { CandescentLogger } from '../logging/candescent-logger';
import type { CandescentTokenService } from '../token/candescent-token.service';
import type { CandescentTokenSet } from '../token/token-set.interface';

/** The longest a request waits for a best-effort revocation; the revocation itself carries on. */
const REVOKE_WAIT_MS = 3_000;

/**
 * Revokes the tokens of a session that ends (logout, expiry, a cap, a failed login), best
 * effort: the caller waits at most {@link REVOKE_WAIT_MS} (the request goes on within the token
 * client's own deadline), and the outcome is logged without any token.
 */
export class QuietRevoker {
  private readonly logger = new CandescentLogger('CandescentSessionService');

  constructor(private readonly tokens: CandescentTokenService) {}

  /** @param why completes "the customer tokens ...", e.g. `at logout`, `of a session that expired` */
  async revoke(set: CandescentTokenSet, why: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const revoked = this.tokens.revoke(set).then(
      () => {
        this.logger.debug(`Revoked the customer tokens ${why}.`);
      },
      (error: unknown) => {
        this.logger.warn(
          `Revoking the customer tokens ${why} failed; they stay valid upstream until they expire.`,
          error,
        );
      },
    );
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, REVOKE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([revoked, waited]);
    clearTimeout(timer);
  }
}
