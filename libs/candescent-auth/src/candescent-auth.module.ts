import { type DynamicModule, Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { CANDESCENT_RESOLVED_OPTIONS } from './candescent-auth.constants';
import {
  CANDESCENT_AUTH_MODULE_OPTIONS,
  CANDESCENT_MODULE_EXTRAS,
  CandescentAuthConfigurableModule,
  type CandescentAuthModuleAsyncOptions,
  type CandescentAuthModuleExtras,
} from './candescent-auth.module-definition';
import type { CandescentAuthModuleOptions } from './options/candescent-auth.options';
import { CandescentContextMiddleware } from './context/candescent-context.middleware';
import { CandescentCustomerTokenGuard } from './context/customer-token.decorator';
import { CandescentHealthIndicator } from './health/candescent-health.indicator';
import { CandescentInstitutions } from './institutions/candescent-institutions.service';
import { CandescentHttpInterceptor } from './http/candescent-http.interceptor';
import {
  CandescentHttpInstaller,
  CandescentHttpService,
  candescentHttpServiceProvider,
} from './http/candescent-http.providers';
import { CandescentAuthGuard } from './session/candescent-auth.guard';
import { CandescentSessionService } from './session/candescent-session.service';
import { CandescentSessionCookies } from './session/candescent-session-cookies.service';
import { CandescentStoreCloser, candescentStoreProvider } from './store/store.providers';
import { validateOptions } from './options/validate-options';
import { CandescentClock } from './token/candescent-clock';
import { CandescentTokenService } from './token/candescent-token.service';
import { RedactedWhenPrinted } from './logging/redacted-when-printed';

/**
 * Candescent OAuth for a Nest app. `CandescentAuthModule.forRoot({...})` or
 * `CandescentAuthModule.forRootAsync({ imports, inject, useFactory })`; add `isGlobal: true` to
 * use it everywhere. Options are validated when the app starts.
 *
 * Provides `CandescentTokenService`, `CandescentHttpService` (an `HttpService`) whose requests to the Candescent origin
 * carry the right token, customer sessions (`CandescentSessionService`, `CandescentAuthGuard`,
 * and `CandescentSessionCookies` for the login and logout responses), the request context for
 * those calls, and the mapping of module errors to HTTP responses.
 *
 * Prints as its name only: through the `ModuleRef` it holds, every provider (the options and
 * their secret among them) is reachable.
 */
@RedactedWhenPrinted()
@Module({
  providers: [
    {
      provide: CANDESCENT_RESOLVED_OPTIONS,
      useFactory: (raw: unknown) => validateOptions(raw),
      inject: [CANDESCENT_AUTH_MODULE_OPTIONS],
    },
    CandescentClock,
    CandescentInstitutions,
    CandescentTokenService,
    CandescentHttpInterceptor,
    candescentHttpServiceProvider,
    CandescentHttpInstaller,
    CandescentHealthIndicator,
    candescentStoreProvider,
    CandescentStoreCloser,
    CandescentSessionService,
    CandescentSessionCookies,
    CandescentAuthGuard,
    CandescentCustomerTokenGuard,
    CandescentContextMiddleware,
  ],
  exports: [
    CANDESCENT_RESOLVED_OPTIONS,
    CandescentClock,
    CandescentInstitutions,
    CandescentTokenService,
    CandescentHttpInterceptor,
    CandescentHealthIndicator,
    CandescentSessionService,
    CandescentSessionCookies,
    CandescentAuthGuard,
    CandescentHttpService,
  ],
})
export class CandescentAuthModule implements NestModule {
  /**
   * The module with these options and switches (`isGlobal`, `errorFilter`, `context`).
   * Options are validated when the app starts.
   */
  static forRoot(options: CandescentAuthModuleOptions & Partial<CandescentAuthModuleExtras>): DynamicModule {
    // The builder's definition, for this class (the builder's own class only carries the statics).
    return { ...CandescentAuthConfigurableModule.forRoot(options), module: CandescentAuthModule };
  }

  /** The module with options from `useFactory` / `useClass` / `useExisting`, and the switches. */
  static forRootAsync(options: CandescentAuthModuleAsyncOptions): DynamicModule {
    return { ...CandescentAuthConfigurableModule.forRootAsync(options), module: CandescentAuthModule };
  }

  /** @internal Made by Nest. */
  constructor(
    @Inject(CANDESCENT_MODULE_EXTRAS) private readonly extras: CandescentAuthModuleExtras,
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Nest calls it: mounts the request-context middleware (see the `context` switch). */
  configure(consumer: MiddlewareConsumer): void {
    if (this.extras.context === false) return;
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter?.getType() === 'express') {
      // Straight onto Express, with no path: a Nest middleware for every route is mounted at
      // '/{*path}', and Express then matches that pattern and rewrites req.url for each request,
      // which costs a route that returns a constant 5 to 15 % of its throughput. Added here,
      // before Nest registers the routes, it runs before all of them, global prefix or not.
      const middleware = this.moduleRef.get(CandescentContextMiddleware);
      adapter.use(middleware.use.bind(middleware));
    } else {
      consumer.apply(CandescentContextMiddleware).forRoutes('{*path}');
    }
  }
}
