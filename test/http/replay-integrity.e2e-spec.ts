import { randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { isAxiosError, isCancel, type AxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import { CandescentUnavailableError } from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { startSandbox } from '../support/sandbox';

/**
 * A replay after a 401 must send exactly what the caller asked to send: the same body bytes,
 * the same URL, a Content-Length that fits the body, and the caller's abort signal. The
 * Candescent origin here is a raw node:http server that records every request byte for byte
 * (and every request it could not parse), behind a keep-alive agent with one socket, so a
 * wrong length would spill into, or swallow, the next request on that socket.
 */

interface Received {
  method: string;
  url: string;
  contentLength?: string;
  body: Buffer;
}

const SCRIPTED = '/db-payees/v1/payees';

class RawOrigin {
  readonly received: Received[] = [];
  /** Requests the server could not parse (a body longer or shorter than announced). */
  readonly parseErrors: string[] = [];
  /** Statuses answered to scripted requests in order; 200 once empty. */
  statuses: number[] = [];
  /** Milliseconds to wait before answering the scripted request with this index. */
  delays = new Map<number, number>();
  /** Runs when the scripted request with this index has arrived, before it is answered. */
  onArrival = new Map<number, () => void>();
  private server?: Server;
  url = '';

  constructor(private readonly sandboxUrl: string) {}

  async start(): Promise<void> {
    const server = createServer({ requestTimeout: 5_000 }, (req, res) => {
      this.onRequest(req, res).catch(() => res.socket?.destroy());
    });
    server.on('clientError', (error: Error, socket) => {
      this.parseErrors.push(error.message);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  scripted(): Received[] {
    return this.received.filter((request) => request.url.startsWith(SCRIPTED));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const received: Received = {
      method: req.method ?? '',
      url: req.url ?? '',
      contentLength: req.headers['content-length'],
      body,
    };
    this.received.push(received);
    if (!received.url.startsWith(SCRIPTED)) {
      // Token requests go on to the sandbox.
      const answer = await fetch(`${this.sandboxUrl}${received.url}`, {
        method: received.method,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)),
        ) as Record<string, string>,
        body: received.method === 'GET' ? undefined : body,
      });
      res
        .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
        .end(Buffer.from(await answer.arrayBuffer()));
      return;
    }
    const index = this.scripted().length - 1;
    this.onArrival.get(index)?.();
    const delay = this.delays.get(index);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    const status = this.statuses.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? '{"done":true}' : '{"code":"CMN_90004","message":"Invalid credentials"}');
  }
}

describe('401 replay sends exactly what the caller sent', () => {
  let sandbox: CandescentSandbox;
  let origin: RawOrigin;
  let module: OpenedModule;
  let agent: Agent;

  beforeAll(async () => {
    sandbox = await startSandbox();
    origin = new RawOrigin(sandbox.url);
    await origin.start();
    module = await createTokenModule(sandbox, { baseUrl: origin.url, tokenRefusalCooldownMs: 0 });
  });

  afterAll(async () => {
    await module.close();
    await origin.stop();
    await sandbox.stop();
  });

  beforeEach(async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await module.tokens.getInstitutionToken();
    origin.received.splice(0);
    origin.parseErrors.splice(0);
    origin.delays.clear();
    origin.onArrival.clear();
    origin.statuses = [401];
  });

  afterEach(() => {
    agent.destroy();
  });

  const send = (config: AxiosRequestConfig) => firstValueFrom(module.http.request({ httpAgent: agent, ...config }));

  /** Sends a request refused once, then a GET on the same socket; returns the two scripted attempts. */
  async function replayed(config: AxiosRequestConfig): Promise<[Received, Received]> {
    const response = await send(config);
    expect(response.status).toBe(200);
    await send({ method: 'GET', url: `${SCRIPTED}/after` });
    expect(origin.parseErrors).toEqual([]);
    const scripted = origin.scripted();
    expect(scripted.map((request) => request.url.split('?')[0])).toEqual([SCRIPTED, SCRIPTED, `${SCRIPTED}/after`]);
    for (const request of scripted) {
      if (request.contentLength !== undefined) expect(Number(request.contentLength)).toBe(request.body.length);
    }
    return [scripted[0], scripted[1]];
  }

  it('a JSON body with a password key is replayed byte for byte, not redacted', async () => {
    const data = { password: 'N3w-Passw0rd-for-alice!', note: 'change' };
    const [first, replay] = await replayed({ method: 'PUT', url: SCRIPTED, data });
    expect(first.body.toString()).toBe(JSON.stringify(data));
    expect(replay.body.equals(first.body)).toBe(true);
  });

  it('a form body is replayed byte for byte', async () => {
    const data = new URLSearchParams({ password: 'An0ther-Secret-Value', refresh_token: 'rt-abcdefghijklmnop' });
    const [first, replay] = await replayed({ method: 'PUT', url: SCRIPTED, data });
    expect(first.body.toString()).toBe(data.toString());
    expect(replay.body.equals(first.body)).toBe(true);
  });

  it('a Buffer body is replayed byte for byte, with a POST that carries an Idempotency-Key', async () => {
    const data = randomBytes(3_000);
    const [first, replay] = await replayed({
      method: 'POST',
      url: SCRIPTED,
      data,
      headers: { 'Idempotency-Key': 'idem-1' },
    });
    expect(first.body.equals(data)).toBe(true);
    expect(replay.body.equals(data)).toBe(true);
  });

  describe('a body the caller changes while the first attempt is in flight', () => {
    // The first attempt has reached the origin, and is not answered yet, when the caller changes it.
    const whileInFlight = (change: () => void) => origin.onArrival.set(0, change);

    // axios copies a plain object's own plain-object levels when it merges the config, but not a
    // class instance (a validated DTO) and not the objects inside an array.
    it('a JSON object (a DTO instance): the replay sends the bytes of the first attempt, the object stays as the caller left it', async () => {
      class Payment {
        constructor(
          public amount: number,
          public to: string,
        ) {}
      }
      const data = new Payment(100, 'acct-1');
      whileInFlight(() => {
        data.amount = 999;
      });
      const [first, replay] = await replayed({ method: 'PUT', url: SCRIPTED, data });
      expect(first.body.toString()).toBe('{"amount":100,"to":"acct-1"}');
      expect(replay.body.toString()).toBe(first.body.toString());
      expect(data).toEqual(new Payment(999, 'acct-1'));
    });

    it('a plain JSON object with an array of objects', async () => {
      const data = { lines: [{ amount: 100 }] };
      whileInFlight(() => {
        data.lines[0].amount = 999;
      });
      const [first, replay] = await replayed({ method: 'PUT', url: SCRIPTED, data });
      expect(first.body.toString()).toBe('{"lines":[{"amount":100}]}');
      expect(replay.body.equals(first.body)).toBe(true);
    });

    it('a form (URLSearchParams)', async () => {
      const data = new URLSearchParams({ amount: '100' });
      whileInFlight(() => {
        data.set('amount', '999');
      });
      const [first, replay] = await replayed({ method: 'PUT', url: SCRIPTED, data });
      expect(first.body.toString()).toBe('amount=100');
      expect(replay.body.equals(first.body)).toBe(true);
    });

    it('a Buffer', async () => {
      const data = Buffer.from('amount=100');
      whileInFlight(() => data.write('999', 'amount='.length));
      const [first, replay] = await replayed({ method: 'PUT', url: SCRIPTED, data });
      expect(first.body.toString()).toBe('amount=100');
      expect(replay.body.equals(first.body)).toBe(true);
    });
  });

  it('a body that grows when redacted does not spill into the next request on the socket', async () => {
    // A short secret-looking value: a redacted copy would be longer than the original.
    const data = `{"password":"x1y2z3"}`;
    const [first, replay] = await replayed({
      method: 'PUT',
      url: SCRIPTED,
      data,
      headers: { 'content-type': 'application/json' },
    });
    expect(replay.body.toString()).toBe(data);
    expect(first.body.toString()).toBe(data);
  });

  it('a URL with secret-looking query parameters is replayed unchanged', async () => {
    const url = `${SCRIPTED}?token=tok-1234567890abcdef&access_token=at-0987654321fedcba`;
    const [first, replay] = await replayed({ method: 'GET', url, params: { refresh_token: 'rt-1122334455667788' } });
    expect(first.url).toBe(`${url}&refresh_token=rt-1122334455667788`);
    expect(replay.url).toBe(first.url);
  });

  it('a stream body is not replayed: the token is replaced and the error says why', async () => {
    const data = Readable.from([Buffer.from('chunk-one,'), Buffer.from('chunk-two')]);
    const error = await thrownBy(() =>
      send({
        method: 'POST',
        url: SCRIPTED,
        data,
        headers: { 'Idempotency-Key': 'idem-2', 'content-type': 'text/plain' },
      }),
    );
    expect(error).toBeInstanceOf(CandescentUnavailableError);
    expect(error).toMatchObject({ errorCode: 'TOKEN_REFUSED_NOT_REPLAYED', upstreamStatus: 401 });
    expect((error as Error).message).toMatch(/body is a stream/);
    expect(origin.scripted()).toHaveLength(1);
    expect(origin.scripted()[0].body.toString()).toBe('chunk-one,chunk-two');
  });

  it("the caller's abort signal still aborts the replay", async () => {
    origin.delays.set(1, 3_000);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => {
      controller.abort();
    }, 500);
    const error = await thrownBy(() => send({ method: 'GET', url: SCRIPTED, signal: controller.signal }));
    expect(isCancel(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(origin.scripted()).toHaveLength(2);
  });

  it('an error passed to the caller prints redacted but keeps its config intact for an app-level retry', async () => {
    origin.statuses = [500];
    const data = { password: 'Kept-Intact-Passw0rd', amount: '1.00' };
    const error = await thrownBy(() =>
      send({ method: 'PUT', url: `${SCRIPTED}?token=tok-abcdef0123456789`, data, candescentRawErrors: true }),
    );
    if (!isAxiosError(error) || !error.config) throw new Error('expected an axios error with its config');
    const bearer = String(error.config.headers.get('Authorization'));
    expect(bearer).toMatch(/^Bearer \S{6,}/);
    expect(error.config.data).toBe(JSON.stringify(data));
    expect(error.config.url).toContain('tok-abcdef0123456789');
    const printed = [
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      inspect(error, { depth: 10, showHidden: false }),
      String(error),
      Object.keys(error).join(','),
    ];
    for (const text of printed) {
      expect(text).not.toContain('Kept-Intact-Passw0rd');
      expect(text).not.toContain('tok-abcdef0123456789');
      expect(text).not.toContain(bearer.slice('Bearer '.length));
    }
    expect(JSON.stringify(error)).toContain('[REDACTED]');
    // The app-level retry (HttpService cancelled its own token once the first call ended): the same
    // bytes again, with credentials the module attaches anew.
    const retried = await firstValueFrom(
      module.http.request({ ...error.config, cancelToken: undefined, httpAgent: agent }),
    );
    expect(retried.status).toBe(200);
    const [first, again] = origin.scripted();
    expect(again.body.equals(first.body)).toBe(true);
  });
});
