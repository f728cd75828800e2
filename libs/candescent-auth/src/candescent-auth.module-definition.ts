import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CandescentErrorFilter } from './errors/candescent-error.filter';
import type { CandescentAuthModuleOptions } from './options/candescent-auth.options';

/**
 * Module-level switches, given to `forRoot` / `forRootAsync` beside the options (they decide
 * which providers the module registers, so they cannot come from an async factory).
 */
export interface CandescentAuthModuleExtras {
  /**
   * Register the module globally, so every module can inject its services.
   * @default false
   */
  isGlobal: boolean;
  /**
   * Register `CandescentErrorFilter` as a global filter (`APP_FILTER`). The errors are
   * `HttpException`s, so without it Nest's default handling, or your own filters, answer them
   * with the same status and body; the filter only adds `Retry-After` where known. Turn it off
   * when your app has a catch-all filter that should see these errors.
   * @default true
   */
  errorFilter: boolean;
  /**
   * Open the request context (trace id, client IP, the guard's session) in a middleware on
   * every route. Turn it off when your app opens contexts itself, for instance inside its own
   * nestjs-cls or AsyncLocalStorage setup: then run each request in
   * `CandescentContext.run(...)`, or guarded customer calls fail closed.
   * @default true
   */
  context: boolean;
}

/** The switches' defaults (a test keeps the TSDoc above and the README equal to them). */
export const DEFAULT_EXTRAS: CandescentAuthModuleExtras = { isGlobal: false, errorFilter: true, context: true };

/** The extras as the module class reads them in `configure`. */
export const CANDESCENT_MODULE_EXTRAS = Symbol('CANDESCENT_MODULE_EXTRAS');

function applyExtras(definition: DynamicModule, given: Partial<CandescentAuthModuleExtras>): DynamicModule {
  // forRoot hands over its whole argument, options (and secrets) included: keep the switches only.
  const extras: CandescentAuthModuleExtras = {
    isGlobal: given.isGlobal ?? DEFAULT_EXTRAS.isGlobal,
    errorFilter: given.errorFilter ?? DEFAULT_EXTRAS.errorFilter,
    context: given.context ?? DEFAULT_EXTRAS.context,
  };
  const filter = extras.errorFilter ? [{ provide: APP_FILTER, useClass: CandescentErrorFilter }] : [];
  const providers = [
    ...(definition.providers ?? []),
    ...filter,
    { provide: CANDESCENT_MODULE_EXTRAS, useValue: extras },
  ];
  return { ...definition, global: extras.isGlobal, providers };
}

export const {
  ConfigurableModuleClass: CandescentAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: CANDESCENT_AUTH_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CandescentAuthModuleOptions>({ moduleName: 'CandescentAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCandescentAuthOptions')
  .setExtras(DEFAULT_EXTRAS, applyExtras)
  .build();

/** Implement it for `forRootAsync({ useClass })` / `forRootAsync({ useExisting })`. */
export interface CandescentAuthOptionsFactory {
  createCandescentAuthOptions(): CandescentAuthModuleOptions | Promise<CandescentAuthModuleOptions>;
}

/** What `CandescentAuthModule.forRootAsync()` takes: `useFactory`/`useClass`/`useExisting`, `imports`, `inject`, and the module switches. */
export type CandescentAuthModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
