import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxApps } from './sandbox-apps';
import type { RouteContext } from './sandbox-context';
import type { SandboxCustomer } from './sandbox-customer.interface';
import { SandboxCustomerRegistry, type NewSandboxCustomer } from './sandbox-customers';
import { dispatch, type DispatcherDeps } from './sandbox-dispatcher';
import { SandboxFaultQueue, type SandboxFault } from './sandbox-faults';
import { SandboxRecorder } from './sandbox-recorder';
import type { AccountsCall, IsolationViolation, RecordedRequest, SandboxCounters } from './sandbox-records.interface';
import { SandboxTimers } from './sandbox-timers';
import { SandboxTokenStore } from './sandbox-token-store';
import {
  applySandboxSettings,
  resolveSandboxOptions,
  type ResolvedSandboxOptions,
  type SandboxCredentials,
  type SandboxOptions,
  type SandboxSettingsPatch,
} from './sandbox.options';

/**
 * A local emulator of the Candescent V1 and V2 token services and two accounts endpoints, over
 * plain `node:http`. It behaves as the services are documented (XML for V1, JSON for V2, every
 * header check and error code, rotating refresh tokens, revocation) and can inject faults.
 *
 * Several FIs can share it (`institutions`), each with its own consumer credentials and
 * customers; a token of one FI is refused by another's endpoints, and `isolationViolations()`
 * lists the requests that mixed FIs up. Instances share no state: two of them are two origins.
 *
 * @example
 * const sandbox = new CandescentSandbox();
 * const baseUrl = await sandbox.start();
 * // ... point the client at baseUrl with sandbox.credentials ...
 * await sandbox.stop();
 */
export class CandescentSandbox {
  /** Consumer key, secret and FI id of the first institution: what a client needs to talk to it. */
  readonly credentials: SandboxCredentials;
  /** Consumer key, secret and FI id of every institution, in the order configured. */
  readonly institutions: ReadonlyArray<Readonly<SandboxCredentials>>;

  private readonly options: ResolvedSandboxOptions;
  private readonly tokens: SandboxTokenStore;
  private readonly apps: SandboxApps;
  private readonly registry = new SandboxCustomerRegistry();
  private readonly faults = new SandboxFaultQueue();
  private readonly recorder = new SandboxRecorder();
  private readonly timers = new SandboxTimers();
  private readonly deps: DispatcherDeps;
  private server?: Server;
  private baseUrl?: string;

  constructor(options: SandboxOptions = {}) {
    this.options = resolveSandboxOptions(options);
    this.tokens = new SandboxTokenStore(() => this.options.now());
    this.institutions = Object.freeze(
      this.options.institutions.map((institution) => Object.freeze({ ...institution })),
    );
    this.credentials = this.institutions[0];
    this.apps = new SandboxApps(this.options.institutions);
    this.options.customers.forEach((customer) => this.registry.add(customer));
    const context: RouteContext = {
      options: this.options,
      apps: this.apps,
      tokens: this.tokens,
      customers: this.registry,
      recordAccountsCall: (call) => {
        this.recorder.recordAccountsCall(call);
      },
    };
    this.deps = { context, faults: this.faults, recorder: this.recorder, timers: this.timers };
  }

  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:54321`. Idempotent. */
  async start(): Promise<string> {
    if (this.baseUrl !== undefined) return this.baseUrl;
    const server = createServer((req, res) => {
      dispatch(req, res, this.deps).catch(() => {
        // The client went away mid-request (or a bug threw): drop the connection, never crash.
        res.socket?.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue: load tests open a thousand connections at once, and Node's default
      // of 511 would make the kernel drop the rest and retry them a second later.
      server.listen({ port: this.options.port, host: this.options.host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.server = server;
    this.baseUrl = `http://${host}:${address.port}`;
    return this.baseUrl;
  }

  /** Closes the server, destroys open sockets and cancels pending fault timers. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.baseUrl = undefined;
    this.timers.cancelAll();
    if (!server) return;
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    server.closeAllConnections();
    await closed;
  }

  /** The base URL. Throws when the sandbox has not been started. */
  get url(): string {
    if (this.baseUrl === undefined) {
      throw new Error('CandescentSandbox is not running: await sandbox.start() before reading sandbox.url');
    }
    return this.baseUrl;
  }

  /** Changes token lifetimes, client-credentials support or the V1 error shape while running. */
  configure(patch: SandboxSettingsPatch): void {
    applySandboxSettings(this.options, patch);
  }

  /** The credentials of one institution; throws when the sandbox does not serve that FI. */
  credentialsFor(fiId: string): Readonly<SandboxCredentials> {
    const institution = this.institutions.find((candidate) => candidate.fiId === fiId);
    if (!institution) throw new Error(notServed(fiId, this.institutions));
    return institution;
  }

  /**
   * Adds a customer with a generated GUID (`fiCustomerId`), two accounts and, unless given, a
   * member number. `fiId` defaults to `credentials.fiId` and must be an FI the sandbox serves.
   * Returns a copy of what was stored.
   */
  addCustomer(customer: NewSandboxCustomer): SandboxCustomer {
    if (customer.fiId !== undefined && !this.apps.serves(customer.fiId)) {
      throw new Error(notServed(customer.fiId, this.institutions));
    }
    return this.registry.create(customer, this.credentials.fiId);
  }

  /** Copies of every customer, demo customers included. */
  customers(): SandboxCustomer[] {
    return this.registry.all();
  }

  /** Queues a fault; each request takes the first queued fault that applies to its route. */
  injectFault(fault: SandboxFault): void {
    this.faults.add(fault);
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** A snapshot of request counters. */
  counters(): SandboxCounters {
    return this.recorder.counters();
  }

  /** Zeroes the counters and forgets recorded requests and accounts calls. */
  resetCounters(): void {
    this.recorder.reset();
  }

  /** Every request received, in arrival order, with the status it was answered with. */
  requests(): RecordedRequest[] {
    return this.recorder.requests();
  }

  /**
   * Recorded requests whose parts belong to different FIs: a token, `di_fiid` / `institutionId`
   * header, V1 path FI, consumer key or consumer secret of one FI together with another. Empty
   * when every request carried only its own institution's. Holds FI ids, never a token or secret,
   * so a failing `expect(...).toEqual([])` prints nothing secret.
   */
  isolationViolations(): IsolationViolation[] {
    return this.recorder.isolationViolations();
  }

  /** Every call that reached an accounts handler, with whose token read whose data. */
  accountsCalls(): AccountsCall[] {
    return this.recorder.accountsCalls();
  }

  /** Invalidates every access and refresh token issued so far, as a service-side purge would. */
  revokeAllTokens(): void {
    this.tokens.revokeAll();
  }

  /** Whether an access token (V1 or V2) is known, unexpired and unrevoked. */
  isAccessTokenValid(token: string): boolean {
    return this.tokens.isAccessTokenValid(token);
  }
}

function notServed(fiId: string, institutions: ReadonlyArray<SandboxCredentials>): string {
  const served = institutions.map((institution) => institution.fiId).join(', ');
  return `CandescentSandbox: FI ${fiId} is not served here (it serves ${served}); add it to institutions or pick one of those`;
}
