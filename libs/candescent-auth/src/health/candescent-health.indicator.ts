import { Inject, Injectable } from '@nestjs/common';
import { CandescentAuthError } from '../errors/candescent-auth.error';
import { CANDESCENT_STORE, type CandescentStore } from '../store/candescent-store.interface';
import { CandescentInstitutions } from '../institutions/candescent-institutions.service';
import { CandescentTokenService } from '../token/candescent-token.service';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** A Terminus-compatible result: `{ [key]: { status, ... } }`. */
export type CandescentHealthResult<Key extends string> = Record<
  Key,
  {
    status: 'up' | 'down';
    /** The institution checked (its id in the options; `default` for options naming one FI at the top). */
    institution: string;
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
 *
 * With several institutions, `check()` looks at one (the default unless named). One FI's outage
 * should not take instances out of a load balancer that also serves the others: check the others
 * under their own keys on an endpoint of their own (a dashboard, an alert), not the readiness probe.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentHealthIndicator {
  /** @internal Made by Nest's injector. */
  constructor(
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

  /**
   * The health result under `key`: the token service's status, its circuits and the store detail,
   * of one institution (`options.institution`, default: the first).
   * @throws CandescentInvalidRequestError `UNKNOWN_INSTITUTION` for an institution the module does not serve.
   */
  async check<const Key extends string = 'candescent'>(
    key: Key = 'candescent' as Key,
    options: { institution?: string } = {},
  ): Promise<CandescentHealthResult<Key>> {
    const runtime = this.institutions.runtime(options.institution);
    const institution = runtime.id;
    const circuit = this.circuits(institution);
    const tokenService = runtime.settings.institutionTokenService;
    const [token, store] = await Promise.all([
      this.tokens.getInstitutionToken({ institution }).then(
        () => undefined,
        (error: unknown) => (error instanceof CandescentAuthError ? error.errorCode : 'UNKNOWN'),
      ),
      this.store(),
    ]);
    if (token === undefined)
      return { [key]: { status: 'up', institution, tokenService, circuit, store } } as CandescentHealthResult<Key>;
    return {
      [key]: { status: 'down', institution, tokenService, circuit, store, errorCode: token },
    } as CandescentHealthResult<Key>;
  }
}
