import { randomUUID } from 'node:crypto';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { CandescentContext, CandescentHttpService, CandescentTokenService } from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { CANDESCENT_HEADERS, type SeenRequest, sendJson, StandIn } from '../support/app-testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { CANONICAL_UUID, startSandbox } from '../support/sandbox';

/**
 * Candescent credentials go to the configured origin and nowhere else: not to another server,
 * not across a redirect that leaves the origin, and not when a request opts out. Two real
 * servers: A is the configured origin (a stand-in that answers the scripted paths and forwards
 * token requests to the sandbox), B is any other server on another port.
 */

const CLIENT_IP = '198.51.100.7';
const V2_HEADERS = ['authorization', 'transactionid', 'institutionid', 'originating_ip'];
const V1_HEADERS = ['authorization', 'di_tid', 'di_fiid', 'originating_ip'];

describe('origin binding of Candescent credentials', () => {
  let sandbox: CandescentSandbox;
  let originA: StandIn;
  let serverB: StandIn;
  let module: OpenedModule;
  let http: CandescentHttpService;

  beforeAll(async () => {
    sandbox = await startSandbox();
    serverB = await StandIn.start((request, res) =>
      request.path === '/deny' ? sendJson(res, 401, { message: 'not yours' }) : sendJson(res, 200, { server: 'B' }),
    );
    originA = await StandIn.start((request, res) => {
      const redirect = (status: number, location: string) => {
        res.writeHead(status, { location }).end();
        return true;
      };
      const portA = new URL(originA.url).port;
      switch (request.path.replace(/^\/v1/, '')) {
        case '/echo':
        case '/landed':
          return sendJson(res, 200, { server: 'A' });
        case '/away':
          return redirect(302, `${serverB.url}/landing`);
        case '/away-307':
          return redirect(307, `${serverB.url}/landing`);
        case '/away-relative-scheme':
          return redirect(302, `//127.0.0.1:${new URL(serverB.url).port}/landing`);
        case '/away-localhost':
          return redirect(302, `http://localhost:${portA}/landed`);
        case '/away-401':
          return redirect(302, `${serverB.url}/deny`);
        case '/hop':
          return redirect(302, '/away');
        case '/home':
          return redirect(302, '/landed');
        default:
          return false;
      }
    }, sandbox.url);
    module = await createTokenModule(sandbox, { baseUrl: originA.url, tokenServices: ['v1', 'v2'] });
    http = module.moduleRef.get(CandescentHttpService);
  });

  afterAll(async () => {
    await module.close();
    await originA.close();
    await serverB.close();
    await sandbox.stop();
  });

  /** Calls inside a request context that knows the client IP, so `originating_ip` would be added. */
  const call = (url: string, config: AxiosRequestConfig = {}): Promise<AxiosResponse<unknown>> =>
    CandescentContext.run({ traceId: randomUUID(), clientIp: CLIENT_IP }, () =>
      firstValueFrom(http.request({ url, method: 'GET', ...config })),
    );

  const last = (server: StandIn, path: string): SeenRequest => {
    const request = server.to(path).at(-1);
    if (!request) throw new Error(`nothing reached ${path}`);
    return request;
  };

  /** The Candescent headers a server received, by name. */
  const candescentHeadersOf = (request: SeenRequest): Record<string, unknown> =>
    Object.fromEntries(
      CANDESCENT_HEADERS.filter((name) => request.headers[name] !== undefined).map((name) => [
        name,
        request.headers[name],
      ]),
    );

  it('adds every header to calls to the configured origin (the control for the cases below)', async () => {
    await call('/echo');
    const v2 = last(originA, '/echo');
    expect(Object.keys(candescentHeadersOf(v2)).sort()).toEqual([...V2_HEADERS].sort());
    expect(v2.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(v2.headers.transactionid).toMatch(CANONICAL_UUID);
    expect(v2.headers.originating_ip).toBe(CLIENT_IP);

    await call('/v1/echo');
    const v1 = last(originA, '/v1/echo');
    expect(Object.keys(candescentHeadersOf(v1)).sort()).toEqual([...V1_HEADERS].sort());
    expect(v1.headers.di_fiid).toBe('00042');
  });

  it.each([
    ['by default', {}],
    ["with candescentAuth: 'institution'", { candescentAuth: 'institution' }],
    ["with candescentAuth: 'customer'", { candescentAuth: 'customer' }],
  ] as Array<[string, AxiosRequestConfig]>)('sends nothing to another origin %s', async (_label, config) => {
    await call(`${serverB.url}/direct`, config);
    expect(candescentHeadersOf(last(serverB, '/direct'))).toEqual({});
  });

  it('sends nothing to the same host under another name (origins compare exactly)', async () => {
    const sameSocketOtherName = originA.url.replace('127.0.0.1', 'localhost');
    await call(`${sameSocketOtherName}/echo`);
    expect(candescentHeadersOf(last(originA, '/echo'))).toEqual({});
  });

  it.each([
    ['a V2 path, 302', '/away', V2_HEADERS],
    ['a V1 path, 302', '/v1/away', V1_HEADERS],
    ['a protocol-relative Location', '/away-relative-scheme', V2_HEADERS],
  ])('strips every header when A redirects to B (%s)', async (_label, path, attached) => {
    const response = await call(path);
    expect(response.data).toEqual({ server: 'B' });
    expect(Object.keys(candescentHeadersOf(last(originA, path))).sort()).toEqual([...attached].sort());
    expect(candescentHeadersOf(last(serverB, '/landing'))).toEqual({});
  });

  it('strips every header on a 307 that keeps the POST and its body', async () => {
    await call('/away-307', { method: 'POST', data: { amount: '1.00' } });
    const landed = last(serverB, '/landing');
    expect(landed.method).toBe('POST');
    expect(landed.body).toBe('{"amount":"1.00"}');
    expect(candescentHeadersOf(landed)).toEqual({});
  });

  it('strips every header after two hops (A to A to B)', async () => {
    await call('/hop');
    expect(Object.keys(candescentHeadersOf(last(originA, '/away'))).sort()).toEqual([...V2_HEADERS].sort());
    expect(candescentHeadersOf(last(serverB, '/landing'))).toEqual({});
  });

  it('strips every header on a redirect to the same server under another origin name', async () => {
    await call('/away-localhost');
    expect(candescentHeadersOf(last(originA, '/landed'))).toEqual({});
  });

  it('keeps the headers on a same-origin redirect', async () => {
    await call('/home');
    const first = last(originA, '/home');
    const landed = last(originA, '/landed');
    expect(candescentHeadersOf(landed)).toEqual(candescentHeadersOf(first));
    expect(Object.keys(candescentHeadersOf(landed)).sort()).toEqual([...V2_HEADERS].sort());
  });

  it("sends no Candescent header to the origin itself with candescentAuth: 'none'", async () => {
    await call('/echo', { candescentAuth: 'none' });
    expect(candescentHeadersOf(last(originA, '/echo'))).toEqual({});
  });

  it("still runs the caller's own beforeRedirect", async () => {
    const seen: string[] = [];
    await call('/away', { beforeRedirect: (options) => seen.push(String(options.href)) });
    expect(seen).toEqual([`${serverB.url}/landing`]);
    expect(candescentHeadersOf(last(serverB, '/landing'))).toEqual({});
  });

  it('neither drops the Candescent token nor replays when the 401 came from the foreign redirect target', async () => {
    const tokens = module.moduleRef.get(CandescentTokenService);
    const held = await tokens.getInstitutionToken();
    sandbox.resetCounters();
    const denied = serverB.to('/deny').length;
    await expect(call('/away-401')).rejects.toBeDefined();
    // B refused, not Candescent: the token A accepted is still good, and a replay only asks B again.
    expect(serverB.to('/deny').length - denied).toBe(1);
    expect(sandbox.counters().tokenRequests).toBe(0);
    expect((await tokens.getInstitutionToken()).accessToken).toBe(held.accessToken);
    for (const request of serverB.to('/deny')) expect(candescentHeadersOf(request)).toEqual({});
  });
});
