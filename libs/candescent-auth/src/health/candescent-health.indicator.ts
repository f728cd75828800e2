import { Inject, Injectable } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { CandescentAuthError } from '../errors/candescent-auth.error';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CANDESCENT_STORE, type CandescentStore } from '../store/candescent-store.interface';
import { CandescentInstitutions } from '../institutions/candescent-institutions.service';
import { CandescentTokenService } from '../token/candescent-token.service';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** A Terminus-compatible result: `{ [key]: { status, ... } }`. */
export type CandescentHealthResult<Key extends string> = Record<
  Key,
  {
    status: 'up' | 'down';
    tokenService: string;
    circuit: Record<string, string>;
    /** Whether the session store answers (see {@link CandescentHealthIndicator.store}). */
    store: 'up' | 'down';
    errorCode?: string;
  }
>;

/** Key the store is probed with when it has no `ping()`; it is only ever read. */
const PROBE_KEY = 'health:probe';

/**
 * Health of the token service for `@nestjs/terminus` (or any health endpoint): `up` when an
 * institution token can be had (from the cache, usually), `down` with the error code otherwise.
 * The `store` detail says whether the session store answers; it does not change `status`,
 * because institution calls go on without Redis (sessions answer 503 meanwhile) and taking
 * every instance out of service would not bring Redis back. The result never contains a token.
 * Works without Terminus: it returns a plain object.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentHealthIndicator {
  /** @internal Made by Nest's injector. */
  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    private readonly tokens: CandescentTokenService,
    private readonly institutions: CandescentInstitutions,
    @Inject(CANDESCENT_STORE) private readonly sessionStore: CandescentStore,
  ) {}

  /**
   * Whether the session store answers: `up` or `down`. Redis gets one PING, bounded by the
   * store's command timeout; the memory store is always `up`. Failures are not logged per call
   * (the store logs when its connection goes down and when it is back).
   */
  async store(): Promise<'up' | 'down'> {
    try {
      await (this.sessionStore.ping ? this.sessionStore.ping() : this.sessionStore.get(PROBE_KEY));
      return 'up';
    } catch {
      return 'down';
    }
  }

  /**
   * The circuit breaker state of each token service of an institution (default: the first):
   * `closed`, `open` or `half-open`. Sends nothing.
   */
  circuits(institution?: string): Record<string, string> {
    const runtime = this.institutions.runtime(institution);
    return Object.fromEntries(
      runtime.settings.tokenServices.map((s) => [s, runtime.client.executor.breaker(s).status]),
    );
  }

  /** The health result under `key`: the token service's status, its circuits and the store detail. */
  async check<const Key extends string = 'candescent'>(
    key: Key = 'candescent' as Key,
  ): Promise<CandescentHealthResult<Key>> {
    const circuit = this.circuits();
    const tokenService = this.options.institutionTokenService;
    const [token, store] = await Promise.all([
      this.tokens.getInstitutionToken().then(
        () => undefined,
        (error: unknown) => (error instanceof CandescentAuthError ? error.errorCode : 'UNKNOWN'),
      ),
      this.store(),
    ]);
    if (token === undefined)
      return { [key]: { status: 'up', tokenService, circuit, store } } as CandescentHealthResult<Key>;
    return {
      [key]: { status: 'down', tokenService, circuit, store, errorCode: token },
    } as CandescentHealthResult<Key>;
  }
}
