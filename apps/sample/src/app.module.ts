import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { CandescentAuthModule, type CandescentAuthModuleOptions } from '@candescent/auth';
import { AccountsController } from './accounts/accounts.controller';
import { AuthController } from './auth/auth.controller';
import { loginThrottlers } from './auth/login-throttlers';
import { MeController } from './auth/me.controller';
import { HealthController } from './health/health.controller';
import { BACK_OFFICE, type BackOfficeSettings } from './institution/back-office.guard';
import { InstitutionController } from './institution/institution.controller';
import { InstitutionsController } from './institutions/institutions.controller';
import { moduleInstitutionFrom } from './institutions/sample-institutions';
import {
  clusterSeedsFrom,
  type SampleEnvironment,
  sampleInstitutionsFrom,
  scopesFrom,
  storeKeysFrom,
  tokenServicesFrom,
} from './sample-config';

/** Module options from the environment, the way an app would write its factory. */
export function candescentOptionsFrom(config: ConfigService<SampleEnvironment>): CandescentAuthModuleOptions {
  const login = config.get('CANDESCENT_LOGIN_SERVICE', { infer: true });
  const redisUrl = config.get('REDIS_URL', { infer: true });
  const sentinels = config
    .get('REDIS_SENTINELS', { infer: true })
    ?.split(',')
    .map((address) => address.trim());
  const clusterSeeds = clusterSeedsFrom(config.get('REDIS_CLUSTER_NODES', { infer: true }));
  // One key, or several newest first while the older ones are phased out.
  const keys = storeKeysFrom(config.get('CANDESCENT_STORE_KEY', { infer: true }));
  const encryption = keys.length > 1 ? { encryptionKeys: keys } : { encryptionKey: keys[0] ?? '' };
  // Several FIs (the first the default), or the one of the single-FI variables.
  const institutions = sampleInstitutionsFrom(config.get('CANDESCENT_INSTITUTIONS', { infer: true }));
  const fi = institutions
    ? { institutions: institutions.map(moduleInstitutionFrom) }
    : {
        baseUrl: config.get('CANDESCENT_BASE_URL', { infer: true }) ?? '',
        consumerKey: config.get('CANDESCENT_CONSUMER_KEY', { infer: true }) ?? '',
        consumerSecret: config.get('CANDESCENT_CONSUMER_SECRET', { infer: true }) ?? '',
        fiId: config.get('CANDESCENT_FIID', { infer: true }) ?? '',
      };
  return {
    ...fi,
    tokenServices: tokenServicesFrom(login),
    appName: config.get('CANDESCENT_APP_NAME', { infer: true }),
    appVersion: config.get('CANDESCENT_APP_VERSION', { infer: true }),
    offeringId: config.get('CANDESCENT_OFFERING_ID', { infer: true }),
    scopes: scopesFrom(config.get('CANDESCENT_SCOPES', { infer: true })),
    session: { transport: config.get('SESSION_TRANSPORT', { infer: true }) },
    redis: redisUrl
      ? { url: redisUrl, ...encryption }
      : clusterSeeds
        ? { cluster: { nodes: clusterSeeds }, ...encryption }
        : sentinels
          ? { sentinels, name: config.get('REDIS_SENTINEL_NAME', { infer: true }), ...encryption }
          : undefined,
  };
}

/** The sample app: the module wired from configuration, and a few routes that use it. */
@Module({})
export class AppModule {
  static forEnvironment(environment: SampleEnvironment, embeddedSandbox = false): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          skipProcessEnv: true,
          isGlobal: true,
          load: [() => Object.fromEntries(Object.entries(environment))],
        }),
        CandescentAuthModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<SampleEnvironment>) => candescentOptionsFrom(config),
        }),
        TerminusModule,
        ThrottlerModule.forRoot({ throttlers: loginThrottlers(environment) }),
      ],
      controllers: [
        AuthController,
        MeController,
        AccountsController,
        InstitutionController,
        InstitutionsController,
        HealthController,
      ],
      providers: [
        {
          provide: BACK_OFFICE,
          useValue: { apiKey: environment.SAMPLE_BACKOFFICE_KEY, embeddedSandbox } satisfies BackOfficeSettings,
        },
      ],
    };
  }
}
