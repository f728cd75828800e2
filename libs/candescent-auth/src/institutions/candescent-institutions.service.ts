import { Inject, Injectable } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { CandescentInvalidRequestError } from '../errors/candescent-auth.error';
import { CandescentLogger } from '../logging/candescent-logger';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentInstitutionOptions } from '../options/candescent-auth.options';
import { validateInstitution } from '../options/validate-options';
import { CANDESCENT_STORE, type CandescentStore } from '../store/candescent-store.interface';
import type { CandescentService } from '../token/candescent-service';
import { CandescentClock } from '../token/candescent-clock';
import { InstitutionRuntime } from './institution-runtime';

/** What the app may read of an institution: never its credentials. */
export interface CandescentInstitutionInfo {
  /** The institution id the app uses (`institutions[].id`). */
  id: string;
  /** Candescent's FI id of the institution. */
  fiId: string;
  /** The gateway URL its calls go to. */
  baseUrl: string;
  /** The token services configured for it (`v1`, `v2`). */
  tokenServices: CandescentService[];
}

/**
 * The institutions this module serves, and the way to change them without a restart: onboarding
 * an FI (`add`), rotating its consumer secret or moving its gateway (`replace`), and offboarding
 * it (`remove`). Changes are validated like the start-up options, with the same wording. A call
 * or login in flight finishes on the settings it started with; after `remove`, the
 * institution's cached tokens are gone and its sessions end at their next request
 * (`SESSION_REMOVED`).
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentInstitutions {
  private readonly logger = new CandescentLogger('CandescentInstitutions');
  private readonly runtimes = new Map<string, InstitutionRuntime>();
  /** The institution a login or call that names none is for: the first at start-up. */
  readonly defaultId: string;

  /** @internal Made by Nest's injector. */
  constructor(
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
    private readonly clock: CandescentClock,
    @Inject(CANDESCENT_STORE) private readonly store: CandescentStore,
  ) {
    for (const settings of options.institutions) this.runtimes.set(settings.id, this.build(settings));
    this.defaultId = options.institutions[0]?.id ?? '';
  }

  /** The ids of every institution served now, the start-up ones in their order first. */
  ids(): string[] {
    return [...this.runtimes.keys()];
  }

  /** Whether the institution is served now. */
  has(id: string): boolean {
    return this.runtimes.has(id);
  }

  /** The institution's id, FI id, gateway and token services (no credentials), if served. */
  describe(id: string): CandescentInstitutionInfo | undefined {
    const settings = this.runtimes.get(id)?.settings;
    return (
      settings && { id, fiId: settings.fiId, baseUrl: settings.baseUrl, tokenServices: [...settings.tokenServices] }
    );
  }

  /**
   * Starts serving another institution.
   * @throws CandescentConfigurationError listing every bad field, or when the id is taken
   */
  add(institution: CandescentInstitutionOptions): CandescentInstitutionInfo {
    const settings = validateInstitution(institution, this.options, (id) => !this.runtimes.has(id));
    this.runtimes.set(settings.id, this.build(settings));
    this.logger.log(`Institution ${settings.id} added (FI ${settings.fiId}).`);
    return this.describe(settings.id) as CandescentInstitutionInfo;
  }

  /**
   * Replaces an institution's settings (a rotated consumer secret, a new gateway): new calls use
   * them at once, calls in flight finish on the old ones. Its cached tokens are not reused.
   * @throws CandescentConfigurationError listing every bad field, or when the id is not served
   */
  replace(institution: CandescentInstitutionOptions): CandescentInstitutionInfo {
    const settings = validateInstitution(institution, this.options, (id) => this.runtimes.has(id));
    const previous = this.runtimes.get(settings.id);
    this.runtimes.set(settings.id, this.build(settings));
    previous?.tokens.dropInstitutionTokens();
    this.logger.log(`Institution ${settings.id} replaced (FI ${settings.fiId}).`);
    return this.describe(settings.id) as CandescentInstitutionInfo;
  }

  /**
   * Stops serving an institution: its cached tokens are dropped, calls and logins naming it are
   * refused (`UNKNOWN_INSTITUTION`), and its sessions end at their next request.
   * @returns whether it was served
   */
  remove(id: string): boolean {
    const runtime = this.runtimes.get(id);
    if (!runtime) return false;
    this.runtimes.delete(id);
    runtime.tokens.dropInstitutionTokens();
    this.logger.log(`Institution ${id} removed.`);
    return true;
  }

  /**
   * Everything of one institution, the default when `id` is undefined. Internal: the module's
   * services route through it.
   * @throws CandescentInvalidRequestError (400 `UNKNOWN_INSTITUTION`) when it is not served
   * @internal
   */
  runtime(id: string | undefined, traceId?: string): InstitutionRuntime {
    const runtime = this.runtimes.get(id ?? this.defaultId);
    if (runtime) return runtime;
    // The name may come from a client: it is not repeated back.
    throw new CandescentInvalidRequestError(
      'The request names an institution this app does not serve; use one of the configured institution ids.',
      { errorType: 'USER_ERROR', errorCode: 'UNKNOWN_INSTITUTION', traceId },
    );
  }

  /** Every institution's runtime (internal). @internal */
  all(): IterableIterator<InstitutionRuntime> {
    return this.runtimes.values();
  }

  private build(settings: ResolvedCandescentAuthOptions['institutions'][number]): InstitutionRuntime {
    return new InstitutionRuntime(settings, this.options, this.clock, this.store);
  }
}
