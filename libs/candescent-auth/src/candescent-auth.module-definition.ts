import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CandescentAuthOptions } from './options/candescent-auth.options';

export const {
  ConfigurableModuleClass: CandescentAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: CANDESCENT_AUTH_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CandescentAuthOptions>({ moduleName: 'CandescentAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCandescentAuthOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Implement it for `forRootAsync({ useClass })` / `forRootAsync({ useExisting })`. */
export interface CandescentAuthOptionsFactory {
  createCandescentAuthOptions(): CandescentAuthOptions | Promise<CandescentAuthOptions>;
}
