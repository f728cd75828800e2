import type { SandboxApps } from './sandbox-apps';
import type { SandboxCustomerRegistry } from './sandbox-customers';
import type { SuccessTweak } from './sandbox-faults';
import type { ResolvedSandboxOptions } from './sandbox.options';
import type { AccountsCall } from './sandbox-records.interface';
import type { SandboxRequest } from './request-reader';
import type { SandboxResponse } from './sandbox-responses';
import type { SandboxTokenStore } from './sandbox-token-store';

/** The sandbox state a route handler may read and change. */
export interface RouteContext {
  /** Live settings: `configure()` changes them between requests. */
  readonly options: ResolvedSandboxOptions;
  /** The consumer apps and the FIs each is enabled for. */
  readonly apps: SandboxApps;
  readonly tokens: SandboxTokenStore;
  readonly customers: SandboxCustomerRegistry;
  recordAccountsCall(call: AccountsCall): void;
}

/** Answers one request of its route; `tweak` is a fault that alters the normal answer. */
export type RouteHandler = (request: SandboxRequest, context: RouteContext, tweak?: SuccessTweak) => SandboxResponse;
