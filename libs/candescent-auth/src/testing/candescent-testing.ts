import type { INestApplicationContext } from '@nestjs/common';
import { CandescentSandbox, DEMO_CUSTOMERS, type SandboxFault, type SandboxOptions } from '@candescent/sandbox';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { CANDESCENT_AUTH_MODULE_OPTIONS } from '../candescent-auth.module-definition';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentAuthModuleOptions } from '../options/candescent-auth.options';
import { CandescentSessionService } from '../session/candescent-session.service';
import { CandescentClock } from '../token/candescent-clock';
import type { CandescentCustomerIdentity } from '../token/token-set.interface';
import type { CandescentTestClock } from './candescent-test-clock';

/** What {@link CandescentTesting.start} takes; every field is optional. */
export interface CandescentTestingOptions {
  /** Options of the embedded sandbox (token lifetimes, extra institutions, ...). */
  sandbox?: SandboxOptions;
  /**
   * Module options laid over the ones that point at the sandbox, e.g. `{ session: { transport:
   * 'cookie' } }` or `{ requestTimeoutMs: 2000 }`. Nothing is read from the environment.
   */
  options?: Partial<CandescentAuthModuleOptions>;
  /** A test clock for the module and the sandbox (default: real time). */
  clock?: CandescentTestClock;
}

/**
 * The structural shape of `TestingModuleBuilder` (from `@nestjs/testing`) that
 * {@link CandescentTesting.override} needs, so this package does not depend on it.
 */
export interface CandescentOverridableBuilder<Builder> {
  /** `TestingModuleBuilder.overrideProvider`. */
  overrideProvider(token: unknown): { useValue(value: unknown): Builder };
}

/** A customer logged in by {@link CandescentTesting.logIn}. */
export interface CandescentTestSession {
  /** The session handle (what a client keeps). */
  sessionToken: string;
  /** The CSRF token (cookie transport only). */
  csrfToken?: string;
  /** Who logged in. */
  customer: CandescentCustomerIdentity;
  /**
   * Request headers that carry the session as the module is configured: `authorization` for the
   * bearer transport; the session cookie and the CSRF header for the cookie transport.
   */
  headers: Record<string, string>;
}

/**
 * The testing kit for an app that uses `CandescentAuthModule`: an embedded Candescent sandbox on
 * a free loopback port and module options that point at it, applied to a
 * `Test.createTestingModule(...)` in one call. The app's own option factory (and whatever it
 * reads from `.env` or `process.env`: Redis, real credentials) is replaced, never run.
 *
 * ```ts
 * const candescent = await CandescentTesting.start();
 * const moduleRef = await candescent.override(Test.createTestingModule({ imports: [AppModule] })).compile();
 * // ... afterAll: await app.close(); await candescent.stop();
 * ```
 */
export class CandescentTesting {
  /** The module options the kit installs: the sandbox's URL and credentials, then `options`. */
  readonly options: CandescentAuthModuleOptions;

  private constructor(
    /** The embedded sandbox: counters, recorded requests, customers, settings. */
    readonly sandbox: CandescentSandbox,
    overrides: Partial<CandescentAuthModuleOptions>,
    /** The test clock given to `start`, if any. */
    readonly clock: CandescentTestClock | undefined,
  ) {
    this.options = { baseUrl: sandbox.url, ...sandbox.credentials, ...overrides };
  }

  /** Starts a sandbox on 127.0.0.1 and a free port, and makes the options that point at it. */
  static async start(options: CandescentTestingOptions = {}): Promise<CandescentTesting> {
    const { clock } = options;
    const sandbox = new CandescentSandbox({
      ...(clock ? { now: () => clock.now() } : {}),
      ...options.sandbox,
    });
    await sandbox.start();
    return new CandescentTesting(sandbox, options.options ?? {}, clock);
  }

  /**
   * Overrides the module's options (however the app registers the module: `forRoot` or
   * `forRootAsync`) with {@link CandescentTesting.options}, and its clock with the test clock;
   * returns the builder, for `.compile()` or more overrides.
   */
  override<Builder extends CandescentOverridableBuilder<Builder>>(builder: Builder): Builder {
    const withOptions = builder.overrideProvider(CANDESCENT_AUTH_MODULE_OPTIONS).useValue(this.options);
    return this.clock ? withOptions.overrideProvider(CandescentClock).useValue(this.clock) : withOptions;
  }

  /**
   * Logs a sandbox customer in through the app's `CandescentSessionService` (the first demo
   * customer unless given) and returns the headers that carry the session.
   * @param app - the compiled testing module or the application made from it.
   */
  async logIn(
    app: Pick<INestApplicationContext, 'get'>,
    customer: { username: string; password: string } = DEMO_CUSTOMERS[0],
  ): Promise<CandescentTestSession> {
    const sessions = app.get(CandescentSessionService, { strict: false });
    const options = app.get<symbol, ResolvedCandescentAuthOptions>(CANDESCENT_RESOLVED_OPTIONS, { strict: false });
    const login = await sessions.login({ username: customer.username, password: customer.password });
    const { session } = options;
    const headers: Record<string, string> =
      session.transport === 'cookie'
        ? {
            cookie: `${session.cookieName}=${login.sessionToken}`,
            ...(login.csrfToken ? { [session.csrfHeaderName]: login.csrfToken } : {}),
          }
        : { authorization: `Bearer ${login.sessionToken}` };
    return {
      sessionToken: login.sessionToken,
      ...(login.csrfToken ? { csrfToken: login.csrfToken } : {}),
      customer: login.customer,
      headers,
    };
  }

  /**
   * Queues a misbehaviour of the sandbox (a 500 quota error, a 503, a reset connection, latency,
   * a malformed body, an expired token, ...) for the next matching request; `times` and `route`
   * widen or narrow it. See `SandboxFault` for every kind.
   */
  injectFault(fault: SandboxFault): void {
    this.sandbox.injectFault(fault);
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.sandbox.clearFaults();
  }

  /** Stops the sandbox. Close the Nest application first. */
  async stop(): Promise<void> {
    await this.sandbox.stop();
  }
}
