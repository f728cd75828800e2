import { Inject, Injectable } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { CandescentAuthError } from '../errors/candescent-auth.error';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentTokenClient } from '../token/candescent-token.client';
import { CandescentTokenService } from '../token/candescent-token.service';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** A Terminus-compatible result: `{ [key]: { status, ... } }`. */
export type CandescentHealthResult<Key extends string> = Record<
  Key,
  { status: 'up' | 'down'; tokenService: string; circuit: Record<string, string>; errorCode?: string }
>;

/**
 * Health of the token service for `@nestjs/terminus` (or any health endpoint): `up` when an
 * institution token can be had (from the cache, usually), `down` with the error code otherwise.
 * The result never contains a token. Works without Terminus: it returns a plain object.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentHealthIndicator {
  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    private readonly tokens: CandescentTokenService,
    private readonly client: CandescentTokenClient,
  ) {}

  /** The circuit breaker state of each configured token service (`closed`, `open`, `half-open`); sends nothing. */
  circuits(): Record<string, string> {
    return Object.fromEntries(this.options.tokenServices.map((s) => [s, this.client.executor.breaker(s).status]));
  }

  async check<const Key extends string = 'candescent'>(
    key: Key = 'candescent' as Key,
  ): Promise<CandescentHealthResult<Key>> {
    const circuit = this.circuits();
    const tokenService = this.options.institutionTokenService;
    try {
      await this.tokens.getInstitutionToken();
      return { [key]: { status: 'up', tokenService, circuit } } as CandescentHealthResult<Key>;
    } catch (error: unknown) {
      const errorCode = error instanceof CandescentAuthError ? error.errorCode : 'UNKNOWN';
      return { [key]: { status: 'down', tokenService, circuit, errorCode } } as CandescentHealthResult<Key>;
    }
  }
}
