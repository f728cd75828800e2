import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthModule,
  CandescentConfigurationError,
  CandescentHttpInterceptor,
  CandescentHttpService,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { CANDESCENT_HEADERS, sendJson, StandIn } from '../support/app-testing';
import { LogCapture } from '../support/logs';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { sandboxOptions, startSandbox } from '../support/sandbox';

/**
 * axios runs request interceptors in reverse order of registration, so one registered before the
 * module's (on an instance given to `attach()`, or in a provider's constructor, which runs before
 * the module installs its own) runs after the module has attached the credentials. If it moves
 * the request to another server, the credentials must not go along: the destination is decided
 * again as the request is sent. The sandbox is the Candescent origin; `foreign` is any other
 * server and records what reaches it.
 */

const alice = DEMO_CUSTOMERS[0];
const ACCOUNTS = '/db-accounts/v1/accounts';
type Rewrite = (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig;

describe('an interceptor that runs after the module changes the request', () => {
  let sandbox: CandescentSandbox;
  let foreign: StandIn;
  let module: OpenedModule;
  let interceptor: CandescentHttpInterceptor;
  const detach: Array<() => void> = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    foreign = await StandIn.start((_request, res) => sendJson(res, 200, { server: 'foreign' }));
    module = await createTokenModule(sandbox, { tokenServices: ['v1', 'v2'], tokenRefusalCooldownMs: 0 });
    interceptor = module.moduleRef.get(CandescentHttpInterceptor);
  });

  afterEach(() => {
    for (const eject of detach.splice(0)) eject();
    sandbox.clearFaults();
  });

  afterAll(async () => {
    await module.close();
    await foreign.close();
    await sandbox.stop();
  });

  beforeEach(async () => {
    await module.tokens.getInstitutionToken();
    sandbox.resetCounters();
    foreign.seen.splice(0);
  });

  /** An instance on the Candescent base URL with `rewrite` registered first, then the module attached. */
  function instanceWith(rewrite: Rewrite): AxiosInstance {
    const instance = axios.create({ baseURL: sandbox.url, maxRedirects: 5 });
    instance.interceptors.request.use(rewrite);
    detach.push(interceptor.attach(instance));
    return instance;
  }

  const accountsCalls = () => sandbox.requests().filter((request) => request.route === 'v2-accounts');
  const candescentHeadersSeenByForeign = () =>
    foreign.seen.flatMap((seen) => CANDESCENT_HEADERS.filter((name) => seen.headers[name] !== undefined));

  async function expectRefusedBeforeSending(call: () => Promise<unknown>): Promise<void> {
    const error = await thrownBy(call);
    expect(error).toBeInstanceOf(CandescentConfigurationError);
    expect(error).toMatchObject({ status: 500, errorCode: 'DESTINATION_CHANGED' });
    expect((error as Error).message).toMatch(/interceptor/);
    expect((error as Error).message).toMatch(/Nothing was sent/);
    expect(candescentHeadersSeenByForeign()).toEqual([]);
    expect(foreign.seen).toHaveLength(0);
    expect(accountsCalls()).toHaveLength(0);
  }

  it.each<[string, (foreignUrl: string) => Rewrite]>([
    [
      'baseURL',
      (foreignUrl) => (config) => {
        config.baseURL = foreignUrl;
        return config;
      },
    ],
    [
      'url (made absolute)',
      (foreignUrl) => (config) => {
        config.url = `${foreignUrl}${config.url ?? ''}`;
        return config;
      },
    ],
    [
      'baseURL, on a copy of the config it returns',
      (foreignUrl) => (config) => ({ ...config, baseURL: foreignUrl }) as InternalAxiosRequestConfig,
    ],
  ])('refuses the call when it changes %s to another server', async (_label, rewrite) => {
    const instance = instanceWith(rewrite(foreign.url));
    await expectRefusedBeforeSending(() => instance.get(ACCOUNTS, { params: { loginId: alice.username } }));
  });

  it('refuses the call when it moves a V2 call onto a V1 path (the token of the other service)', async () => {
    const instance = instanceWith((config) => {
      config.url = `/v1/fis/00042${config.url ?? ''}`;
      return config;
    });
    await expectRefusedBeforeSending(() => instance.get(ACCOUNTS, { params: { loginId: alice.username } }));
  });

  it("refuses the call when a provider's constructor registered the interceptor on CandescentHttpService", async () => {
    @Injectable()
    class Rerouter {
      constructor(http: CandescentHttpService) {
        http.axiosRef.interceptors.request.use((config) => {
          config.baseURL = foreign.url;
          return config;
        });
      }
    }
    const logs = new LogCapture();
    const moduleRef = await Test.createTestingModule({
      imports: [CandescentAuthModule.forRoot(sandboxOptions(sandbox))],
      providers: [Rerouter],
    })
      .setLogger(logs)
      .compile();
    await moduleRef.init();
    try {
      const http = moduleRef.get(CandescentHttpService);
      await expectRefusedBeforeSending(() =>
        firstValueFrom(http.get(ACCOUNTS, { params: { loginId: alice.username } })),
      );
    } finally {
      await moduleRef.close();
    }
  });

  it('sends the call when it changes only a header, credentials and the new header included', async () => {
    const instance = instanceWith((config) => {
      config.headers.set('x-late', 'yes');
      return config;
    });
    const response = await instance.get<{ accounts: unknown[] }>(ACCOUNTS, { params: { loginId: alice.username } });
    expect(response.status).toBe(200);
    expect(response.data.accounts).toHaveLength(alice.accounts.length);
    const [call] = accountsCalls();
    expect(call.headers['x-late']).toBe('yes');
    expect(call.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(foreign.seen).toHaveLength(0);
  });

  it('still replays a refused call once when it returns a copy of the config', async () => {
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });
    const instance = instanceWith((config) => ({ ...config }) as InternalAxiosRequestConfig);
    const response = await instance.get(ACCOUNTS, { params: { loginId: alice.username } });
    expect(response.status).toBe(200);
    const [refused, replayed] = accountsCalls();
    expect(accountsCalls()).toHaveLength(2);
    expect(refused.status).toBe(401);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.authorization).not.toBe(refused.headers.authorization);
  });
});
