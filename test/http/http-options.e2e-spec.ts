import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthModule,
  CandescentConfigurationError,
  CandescentHttpService,
  CandescentTokenService,
} from '@candescent/auth';
import { CandescentTesting, checkCandescentAuthOptions } from '@candescent/auth/testing';

/** A forwarding HTTP proxy on loopback that records the absolute URLs it was asked for. */
async function startProxy(): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '/');
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

describe('the http option: agent and proxy of the module axios instances', () => {
  let candescent: CandescentTesting;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    proxy = await startProxy();
    candescent = await CandescentTesting.start({
      options: { http: { proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port } } },
    });
    moduleRef = await Test.createTestingModule({
      imports: [CandescentAuthModule.forRoot(candescent.options)],
    }).compile();
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef.close();
    await candescent.stop();
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  it('sends token requests and banking calls through the proxy', async () => {
    await moduleRef.get(CandescentTokenService).getInstitutionToken();
    expect(proxy.seen).toEqual([expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/.*token/)]);
    const accounts = await firstValueFrom(
      moduleRef.get(CandescentHttpService).get<{ accounts: unknown[] }>('/db-accounts/v1/accounts', {
        params: { loginId: 'alice' },
        candescentAuth: 'institution',
      }),
    );
    expect(accounts.status).toBe(200);
    expect(proxy.seen).toHaveLength(2);
    expect(proxy.seen[1]).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/db-accounts\/v1\/accounts\?loginId=alice$/);
  });

  it('refuses an http option that is not agents and proxy settings, at start-up', () => {
    const base = candescent.options;
    expect(() => {
      checkCandescentAuthOptions({ ...base, http: { httpsAgent: new HttpsAgent({ keepAlive: true }) } });
    }).not.toThrow();
    for (const http of [{ httpsAgent: { cert: 'x' } }, { proxy: 'http://proxy:3128' }, { agent: new Agent() }, 'yes']) {
      let error: unknown;
      try {
        checkCandescentAuthOptions({ ...base, http: http as never });
      } catch (thrown: unknown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(CandescentConfigurationError);
      expect((error as CandescentConfigurationError).problems.map((problem) => problem.field)).toEqual(['http']);
    }
  });
});
