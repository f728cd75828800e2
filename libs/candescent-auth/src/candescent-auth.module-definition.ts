import { inspect } from 'node:util';
import { type ConfigurableModuleAsyncOptions, ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CandescentConfigurationError } from './errors/candescent-auth.error';
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
   * with the same status and body; the filter adds `Retry-After` where known, and gives GraphQL
   * clients the code, status and retry delay as `extensions`. Turn it off when your app has a
   * catch-all filter that should see these errors.
   * @default true
   */
  errorFilter: boolean;
  /**
   * Where the module's middleware opens the request context (trace id, client IP, the guard's
   * session) that outgoing Candescent calls read:
   * - `'sessions'`: only for requests that carry a session handle as the configured transport
   *   sends it (an `Authorization` header, or the session cookie). Other routes pay nothing
   *   for it; their outgoing calls use the institution token and send no `originating_ip`.
   * - `true`: for every request, so institution-token calls from open routes send
   *   `originating_ip` too, and a guard whose `extractHandle` reads the handle from elsewhere
   *   works. Every route pays for the context (see BENCHMARKS.md).
   * - `false`: never; your app opens contexts itself, for instance inside its own nestjs-cls or
   *   AsyncLocalStorage setup, by running each request in
   *   `CandescentContext.run(CandescentContext.forRequest(req), ...)`.
   *
   * A guarded request without a context is refused with a configuration error rather than let
   * its Candescent calls go out without the customer's token.
   * @default 'sessions'
   */
  context: boolean | 'sessions';
}

/** The switches' defaults (options.declaration.spec.ts keeps the `@default` tags above equal to them). */
export const DEFAULT_EXTRAS: CandescentAuthModuleExtras = { isGlobal: false, errorFilter: true, context: 'sessions' };

/** The extras as the module class reads them in `configure`. */
export const CANDESCENT_MODULE_EXTRAS = Symbol('CANDESCENT_MODULE_EXTRAS');

function applyExtras(definition: DynamicModule, given: Partial<CandescentAuthModuleExtras>): DynamicModule {
  // forRoot hands over its whole argument, options (and secrets) included: keep the switches only.
  const extras: CandescentAuthModuleExtras = {
    isGlobal: given.isGlobal ?? DEFAULT_EXTRAS.isGlobal,
    errorFilter: given.errorFilter ?? DEFAULT_EXTRAS.errorFilter,
    context: contextSwitch(given.context),
  };
  const filter = extras.errorFilter ? [{ provide: APP_FILTER, useClass: CandescentErrorFilter }] : [];
  const providers = [
    ...(definition.providers ?? []),
    ...filter,
    { provide: CANDESCENT_MODULE_EXTRAS, useValue: extras },
  ];
  return { ...definition, global: extras.isGlobal, providers };
}

const CONTEXT_CHOICES: ReadonlyArray<CandescentAuthModuleExtras['context']> = [true, false, 'sessions'];

function contextSwitch(given: unknown): CandescentAuthModuleExtras['context'] {
  if (given === undefined) return DEFAULT_EXTRAS.context;
  if (CONTEXT_CHOICES.includes(given as CandescentAuthModuleExtras['context']))
    return given as CandescentAuthModuleExtras['context'];
  throw new CandescentConfigurationError(
    `CandescentAuthModule: context must be 'sessions' (the default), true or false, not ${inspect(given)}.`,
  );
}

export const {
  ConfigurableModuleClass: CandescentAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: CANDESCENT_AUTH_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CandescentAuthModuleOptions>({ moduleName: 'CandescentAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCandescentAuthOptions')
  .setExtras(DEFAULT_EXTRAS, applyExtras)
  .build();

/** Implement it for `forRootAsync({ useClass })` / `forRootAsync({ useExisting })`. */
export interface CandescentAuthOptionsFactory {
  /** The module options (validated when the app starts). */
  createCandescentAuthOptions(): CandescentAuthModuleOptions | Promise<CandescentAuthModuleOptions>;
}

/** What `CandescentAuthModule.forRootAsync()` takes: `useFactory`/`useClass`/`useExisting`, `imports`, `inject`, and the module switches. */
export type CandescentAuthModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  CandescentAuthModuleOptions,
  'createCandescentAuthOptions'
> &
  Partial<CandescentAuthModuleExtras>;
