import { Module } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from './candescent-auth.constants';
import { CANDESCENT_AUTH_MODULE_OPTIONS, CandescentAuthConfigurableModule } from './candescent-auth.module-definition';
import { validateOptions } from './options/validate-options';
import { CandescentClock } from './token/candescent-clock';
import { CandescentTokenClient } from './token/candescent-token.client';
import { CandescentTokenService } from './token/candescent-token.service';
import { CandescentTokenHttpClient } from './token/token-http.client';

/**
 * Candescent OAuth for a Nest app. `CandescentAuthModule.forRoot({...})` or
 * `CandescentAuthModule.forRootAsync({ imports, inject, useFactory })`; add `isGlobal: true` to
 * use it everywhere. Options are validated when the app starts.
 */
@Module({
  providers: [
    {
      provide: CANDESCENT_RESOLVED_OPTIONS,
      useFactory: (raw: unknown) => validateOptions(raw),
      inject: [CANDESCENT_AUTH_MODULE_OPTIONS],
    },
    CandescentClock,
    CandescentTokenHttpClient,
    CandescentTokenClient,
    CandescentTokenService,
  ],
  exports: [CANDESCENT_RESOLVED_OPTIONS, CandescentClock, CandescentTokenService],
})
export class CandescentAuthModule extends CandescentAuthConfigurableModule {}
