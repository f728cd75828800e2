import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CandescentErrorFilter } from './errors/candescent-error.filter';
import type { CandescentAuthOptions } from './options/candescent-auth.options';

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
}

const DEFAULT_EXTRAS: CandescentAuthModuleExtras = { isGlobal: false, errorFilter: true };

function applyExtras(definition: DynamicModule, extras: Partial<CandescentAuthModuleExtras>): DynamicModule {
  const { isGlobal, errorFilter } = { ...DEFAULT_EXTRAS, ...extras };
  const filter = errorFilter ? [{ provide: APP_FILTER, useClass: CandescentErrorFilter }] : [];
  return { ...definition, global: isGlobal, providers: [...(definition.providers ?? []), ...filter] };
}

export const {
  ConfigurableModuleClass: CandescentAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: CANDESCENT_AUTH_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CandescentAuthOptions>({ moduleName: 'CandescentAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCandescentAuthOptions')
  .setExtras(DEFAULT_EXTRAS, applyExtras)
  .build();

/** Implement it for `forRootAsync({ useClass })` / `forRootAsync({ useExisting })`. */
export interface CandescentAuthOptionsFactory {
  createCandescentAuthOptions(): CandescentAuthOptions | Promise<CandescentAuthOptions>;
}
