import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { CandescentAuthModule, type CandescentAuthOptions } from '@candescent/auth';
import { HealthController } from './health/health.controller';
import { InstitutionController } from './institution/institution.controller';
import { type SampleEnvironment, scopesFrom } from './sample-config';

/** Module options from the environment, the way an app would write its factory. */
export function candescentOptionsFrom(config: ConfigService<SampleEnvironment, true>): CandescentAuthOptions {
  const login = config.get('CANDESCENT_LOGIN_SERVICE', { infer: true });
  return {
    baseUrl: config.get('CANDESCENT_BASE_URL', { infer: true }) ?? '',
    consumerKey: config.get('CANDESCENT_CONSUMER_KEY', { infer: true }) ?? '',
    consumerSecret: config.get('CANDESCENT_CONSUMER_SECRET', { infer: true }) ?? '',
    fiId: config.get('CANDESCENT_FIID', { infer: true }) ?? '',
    tokenServices: login === 'both' ? ['v1', 'v2'] : [login],
    appName: config.get('CANDESCENT_APP_NAME', { infer: true }),
    appVersion: config.get('CANDESCENT_APP_VERSION', { infer: true }),
    offeringId: config.get('CANDESCENT_OFFERING_ID', { infer: true }),
    scopes: scopesFrom(config.get('CANDESCENT_SCOPES', { infer: true })),
  };
}

/** The sample app: the module wired from configuration, and a few routes that use it. */
@Module({})
export class AppModule {
  static forEnvironment(environment: SampleEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, skipProcessEnv: true, isGlobal: true, load: [() => ({ ...environment })] }),
        CandescentAuthModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<SampleEnvironment, true>) => candescentOptionsFrom(config),
        }),
        TerminusModule,
      ],
      controllers: [InstitutionController, HealthController],
    };
  }
}
