import {
  optionsForInstitution,
  type ResolvedCandescentAuthOptions,
  type ResolvedCandescentInstitution,
} from '../options/candescent-auth.defaults';
import { RedactedWhenPrinted, redactWhenPrinted } from '../logging/redacted-when-printed';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentClock } from '../token/candescent-clock';
import { CandescentTokenClient } from '../token/candescent-token.client';
import { InstitutionTokenService } from '../token/institution-token.service';
import { CandescentTokenHttpClient } from '../token/token-http.client';

/**
 * Everything of one institution: its settings, the module's options as it sees them, and its own
 * token client (timeouts, retries, circuit breakers), institution-token cache, single-flight and
 * refusal cooldowns. Built whole and replaced whole: a call that took one finishes on it, even
 * when the institution is replaced or removed meanwhile.
 */
@RedactedWhenPrinted()
export class InstitutionRuntime {
  readonly id: string;
  /** The module's options with this institution's gateway, credentials and FI id. */
  readonly options: ResolvedCandescentAuthOptions;
  readonly client: CandescentTokenClient;
  readonly tokens: InstitutionTokenService;
  /** The base URL's path, which the V1/V2 path rule does not see. */
  readonly basePath: string;

  constructor(
    readonly settings: ResolvedCandescentInstitution,
    moduleOptions: ResolvedCandescentAuthOptions,
    clock: CandescentClock,
    store: CandescentStore,
  ) {
    this.id = settings.id;
    const shown = { id: settings.id, baseUrl: settings.baseUrl, fiId: settings.fiId };
    this.options = redactWhenPrinted(optionsForInstitution(moduleOptions, settings), 'CandescentInstitution', shown);
    this.client = new CandescentTokenClient(this.options, new CandescentTokenHttpClient(this.options), clock);
    this.tokens = new InstitutionTokenService(this.options, this.client, clock, store);
    this.basePath = new URL(settings.baseUrl).pathname.replace(/\/$/, '');
  }
}
