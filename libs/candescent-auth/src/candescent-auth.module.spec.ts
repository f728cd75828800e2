import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CandescentAuthModule } from './candescent-auth.module';
import type { CandescentAuthOptionsFactory } from './candescent-auth.module-definition';
import { CandescentConfigurationError } from './errors/candescent-auth.error';
import { CandescentHttpService } from './http/candescent-http.providers';
import type { CandescentAuthModuleOptions } from './options/candescent-auth.options';
import type { ResolvedCandescentAuthOptions } from './options/candescent-auth.defaults';
import { InjectCandescentAuthOptions } from './options/inject-options.decorator';
import { CandescentSessionService } from './session/candescent-session.service';
import { CandescentTokenService } from './token/candescent-token.service';

const OPTIONS: CandescentAuthModuleOptions = {
  baseUrl: 'https://api.candescent.example/digitalbanking',
  consumerKey: 'module-key',
  consumerSecret: 'module-secret-Xy71',
  fiId: '00042',
};

@Injectable()
class OptionsFactory implements CandescentAuthOptionsFactory {
  createCandescentAuthOptions(): CandescentAuthModuleOptions {
    return { ...OPTIONS, fiId: '00777' };
  }
}

@Module({ providers: [OptionsFactory, { provide: 'FI_ID', useValue: '00123' }], exports: [OptionsFactory, 'FI_ID'] })
class ConfigLikeModule {}

@Injectable()
class OptionsReader {
  constructor(@InjectCandescentAuthOptions() readonly options: ResolvedCandescentAuthOptions) {}
}

async function resolved(root: ReturnType<typeof CandescentAuthModule.forRoot>, extra: unknown[] = []) {
  const moduleRef = await Test.createTestingModule({
    imports: [root, ...(extra as [])],
    providers: [OptionsReader],
  }).compile();
  const options = moduleRef.get(OptionsReader).options;
  await moduleRef.close();
  return options;
}

describe('CandescentAuthModule', () => {
  it('forRoot validates, fills defaults and exports the services', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CandescentAuthModule.forRoot(OPTIONS)],
      providers: [OptionsReader],
    }).compile();
    expect(moduleRef.get(CandescentTokenService)).toBeInstanceOf(CandescentTokenService);
    expect(moduleRef.get(CandescentSessionService)).toBeInstanceOf(CandescentSessionService);
    // The module's own axios instance, pointed at the base URL: never the process-wide default.
    expect(moduleRef.get(CandescentHttpService).axiosRef.defaults.baseURL).toBe(OPTIONS.baseUrl);
    expect(moduleRef.get(OptionsReader).options).toMatchObject({
      fiId: '00042',
      tokenServices: ['v2'],
      origin: 'https://api.candescent.example',
    });
    await moduleRef.close();
  });

  it('forRootAsync with useFactory, imports and inject', async () => {
    const options = await resolved(
      CandescentAuthModule.forRootAsync({
        imports: [ConfigLikeModule],
        inject: ['FI_ID'],
        useFactory: (fiId: string) => ({ ...OPTIONS, fiId }),
      }),
    );
    expect(options.fiId).toBe('00123');
  });

  it('forRootAsync with useClass and with useExisting', async () => {
    expect((await resolved(CandescentAuthModule.forRootAsync({ useClass: OptionsFactory }))).fiId).toBe('00777');
    expect(
      (await resolved(CandescentAuthModule.forRootAsync({ imports: [ConfigLikeModule], useExisting: OptionsFactory })))
        .fiId,
    ).toBe('00777');
  });

  it('isGlobal makes the token service injectable in modules that do not import it', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly tokens: CandescentTokenService) {}
    }
    @Module({ providers: [Consumer], exports: [Consumer] })
    class FeatureModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [CandescentAuthModule.forRoot({ ...OPTIONS, isGlobal: true }), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).tokens).toBeInstanceOf(CandescentTokenService);
    await moduleRef.close();
  });

  it('stops start-up with one configuration error that lists every bad field and no secret', async () => {
    const start = Test.createTestingModule({
      imports: [
        CandescentAuthModule.forRootAsync({
          useFactory: () => ({ ...OPTIONS, baseUrl: 'http://api.candescent.example', fiId: 42 as unknown as string }),
        }),
      ],
    }).compile();
    const error = await start.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CandescentConfigurationError);
    expect((error as CandescentConfigurationError).problems.map((p) => p.field).sort()).toEqual(['baseUrl', 'fiId']);
    expect((error as Error).message).not.toContain(OPTIONS.consumerSecret);
  });
});
