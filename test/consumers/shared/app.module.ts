import { type DynamicModule, Module } from '@nestjs/common';
import { CandescentAuthModule, type CandescentAuthModuleOptions } from '@candescent/auth';
import { AccountsController } from './accounts.controller.js';
import { AuthController } from './auth.controller.js';

/** A consumer's app: the module from the installed package, a login route and guarded routes. */
@Module({})
export class AppModule {
  static forCandescent(options: CandescentAuthModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CandescentAuthModule.forRoot(options)],
      controllers: [AuthController, AccountsController],
    };
  }
}
