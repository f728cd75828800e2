import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import fc from 'fast-check';
import { firstValueFrom } from 'rxjs';
import { CandescentConfigurationError, CandescentHttpInterceptor } from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { CANDESCENT_HEADERS } from '../support/app-testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { startSandbox } from '../support/sandbox';

/**
 * The interceptor must decide where a request goes exactly as axios will send it. A
 * differential property test: generated url / baseURL / allowAbsoluteUrls / params
 * combinations are sent for real, through the module's own CandescentHttpService and through
 * an app's partner-API instance with the interceptor attached. Three servers record what they
 * receive: the configured Candescent origin (127.0.0.1:A), another host (127.0.0.2:B) and
 * another port (127.0.0.1:C). Candescent headers must arrive exactly when the request reached
 * the Candescent origin under its configured name (the Host header the client sent).
 */

interface Arrival {
  server: 'candescent' | 'other-host' | 'other-port';
  host: string;
  headers: IncomingHttpHeaders;
}

const RUNS = 10_000;

async function recordingServer(
  name: Arrival['server'],
  host: string,
  arrivals: Arrival[],
  forwardTo?: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '/';
        if (forwardTo && /^\/(oauth2|v1\/oauth)\//.test(path)) {
          // Token requests of the module itself: forwarded to the sandbox, not counted.
          const answer = await fetch(`${forwardTo}${path}`, {
            method: req.method,
            headers: Object.fromEntries(
              Object.entries(req.headers).filter(([key]) => !['host', 'connection', 'content-length'].includes(key)),
            ) as Record<string, string>,
            body: req.method === 'POST' ? 'grant_type=client_credentials' : undefined,
          });
          res
            .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
            .end(await answer.text());
          return;
        }
        arrivals.push({ server: name, host: req.headers.host ?? '', headers: req.headers });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      })();
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

describe('the origin the interceptor checks is the origin axios sends to', () => {
  const arrivals: Arrival[] = [];
  let sandbox: CandescentSandbox;
  let servers: Server[];
  let candescent: string;
  let otherHost: string;
  let otherPort: string;
  let module: OpenedModule;
  let partner: AxiosInstance;
  let detach: () => void;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const a = await recordingServer('candescent', '127.0.0.1', arrivals, sandbox.url);
    const b = await recordingServer('other-host', '127.0.0.2', arrivals);
    const c = await recordingServer('other-port', '127.0.0.1', arrivals);
    servers = [a.server, b.server, c.server];
    [candescent, otherHost, otherPort] = [a.url, b.url, c.url];
    module = await createTokenModule(sandbox, { baseUrl: candescent });
    await module.tokens.getInstitutionToken();
    // An app's partner-API instance, guarded the usual way: absolute URLs are not allowed.
    partner = axios.create({ baseURL: `${otherHost}/partner`, allowAbsoluteUrls: false });
    detach = module.moduleRef.get(CandescentHttpInterceptor).attach(partner);
  });

  afterAll(async () => {
    detach();
    await module.close();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
    await sandbox.stop();
  });

  /** Authorities in many spellings: the right one, look-alikes, and other servers. */
  const authority = () =>
    fc.constantFrom(
      () => candescent,
      () => candescent.toUpperCase(),
      () => candescent.replace('http://', 'http://user:pw@'),
      () => candescent.replace('http://', '//'),
      () => candescent.replace('127.0.0.1', 'localhost'),
      () => `${candescent}@${otherHost.slice('http://'.length)}`,
      () => otherHost,
      () => otherHost.replace('http://', '//'),
      () => otherHost.replace('http://', 'http:\\\\'),
      () => otherHost.replace('http://', 'http:/'),
      () => ` ${otherHost}`,
      () => `${otherHost}#${candescent}`,
      () => otherPort,
      () => otherPort.replace('http://', 'HTTP://'),
      () => '',
    );
  const path = fc.constantFrom(
    '',
    '/',
    '/db-accounts/v1/accounts',
    'db-accounts/v1/accounts',
    '/../x',
    '?q=1',
    '#frag',
    '/a/b?c=d',
    '//x',
    '\\x',
  );

  const caseArbitrary = fc.record({
    instance: fc.constantFrom<'module' | 'partner'>('module', 'partner'),
    base: fc.option(fc.tuple(authority(), fc.constantFrom('', '/base', '/base/')), { nil: undefined }),
    url: fc.tuple(authority(), path),
    allowAbsoluteUrls: fc.constantFrom<boolean | undefined>(true, false, undefined),
    params: fc.constantFrom<Record<string, string> | undefined>(undefined, { a: 'x' }, { url: 'http://127.0.0.2/' }),
  });

  async function send(instance: 'module' | 'partner', config: AxiosRequestConfig): Promise<void> {
    const full: AxiosRequestConfig = {
      ...config,
      method: 'GET',
      maxRedirects: 0,
      timeout: 2_000,
      validateStatus: () => true,
    };
    try {
      if (instance === 'module') await firstValueFrom(module.http.request(full));
      else await partner.request(full);
    } catch {
      // Malformed URLs fail in axios itself; what matters is where anything arrived.
    }
  }

  it(`attaches credentials exactly when the request reaches the Candescent origin (${RUNS} cases)`, async () => {
    const configuredHost = candescent.slice('http://'.length);
    let reachedCandescent = 0;
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ({ instance, base, url, allowAbsoluteUrls, params }) => {
        arrivals.splice(0);
        const config: AxiosRequestConfig = { url: `${url[0]()}${url[1]}`, params };
        if (base) config.baseURL = `${base[0]()}${base[1]}`;
        if (allowAbsoluteUrls !== undefined) config.allowAbsoluteUrls = allowAbsoluteUrls;
        await send(instance, config);
        expect(arrivals.length).toBeLessThanOrEqual(1);
        for (const arrival of arrivals) {
          const isCandescent = arrival.server === 'candescent' && arrival.host === configuredHost;
          if (isCandescent) reachedCandescent++;
          // axios itself sends userinfo in the URL as Basic credentials: only a bearer token is ours.
          const carried = CANDESCENT_HEADERS.filter((name) =>
            name === 'authorization'
              ? String(arrival.headers.authorization).startsWith('Bearer ')
              : arrival.headers[name] !== undefined,
          );
          // Fail closed the other way too: a request that reached Candescent carries its token.
          expect({ bearer: carried.includes('authorization'), carriedAny: carried.length > 0, config }).toEqual({
            bearer: isCandescent,
            carriedAny: isCandescent,
            config,
          });
        }
      }),
      { numRuns: RUNS },
    );
    // The generator must actually reach the origin often, or the property says little.
    expect(reachedCandescent).toBeGreaterThan(RUNS / 10);
  }, 240_000);

  it('an absolute Candescent URL on the partner instance goes to the partner base, without credentials', async () => {
    arrivals.splice(0);
    await partner.get(`${candescent}/db-accounts/v1/accounts`);
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0].server).toBe('other-host');
    for (const header of CANDESCENT_HEADERS) expect(arrivals[0].headers[header]).toBeUndefined();
  });

  it("refuses axios's fetch adapter for Candescent calls, and sends nothing", async () => {
    arrivals.splice(0);
    const error = await thrownBy(() =>
      firstValueFrom(module.http.get('/db-accounts/v1/accounts', { adapter: 'fetch' })),
    );
    expect(error).toBeInstanceOf(CandescentConfigurationError);
    expect(error).toMatchObject({ status: 500, errorCode: 'FETCH_ADAPTER_REFUSED' });
    expect((error as Error).message).toMatch(/http adapter/);
    expect(arrivals).toHaveLength(0);
    // Without credentials the fetch adapter is fine, and so is any other origin.
    await firstValueFrom(module.http.get('/plain', { adapter: 'fetch', candescentAuth: 'none' }));
    await firstValueFrom(module.http.get(`${otherPort}/plain`, { adapter: 'fetch' }));
    expect(arrivals.map((arrival) => arrival.server)).toEqual(['candescent', 'other-port']);
    for (const arrival of arrivals)
      for (const header of CANDESCENT_HEADERS) expect(arrival.headers[header]).toBeUndefined();
  });
});
