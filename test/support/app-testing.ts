import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { CandescentSandbox, SandboxCustomer, SandboxOptions } from '@candescent/auth/testing';
import { createSampleApp } from '../../apps/sample/src/create-sample-app';

/** Headers the module adds to calls bound for Candescent, lower case as servers see them. */
export const CANDESCENT_HEADERS = [
  'authorization',
  'di_tid',
  'di_fiid',
  'transactionid',
  'institutionid',
  'originating_ip',
] as const;

/** The shape of a session handle: `cds_` and 256 random bits in base64url. */
export const SESSION_HANDLE = /^cds_[A-Za-z0-9_-]{43}$/;

/** The stable JSON body of a module error, as clients receive it. */
export interface ErrorBody {
  statusCode: number;
  error?: string;
  errorType?: string;
  errorCode?: string;
  message: string | string[];
  traceId?: string;
}

/** What `POST /auth/login` answers. */
export interface LoginBody {
  sessionToken?: string;
  csrfToken?: string;
  expiresAt: string;
  customer: { fiId: string; loginId: string; fiCustomerId?: string; memberNumber?: string };
}

/** An account as the sandbox returns it. */
export interface AccountView {
  id: string;
  name: string;
}

/** What `GET /accounts` answers. */
export interface AccountsBody {
  service: 'v1' | 'v2';
  accounts: { accounts: AccountView[] };
}

/** One answer of the app under test, body kept as text so a suite can search it for secrets. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /**
   * The body parsed as JSON, typed as the caller expects; throws when it is not JSON. The type
   * is the suite's claim about the body, which its assertions then check.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view, checked by the caller's assertions
  json<T = unknown>(): T;
}

/**
 * A fetch wrapper that keeps every answer (status line aside: headers and body) so a suite can
 * prove afterwards that no Candescent token ever reached the client.
 */
export class Client {
  /** Every response header value and body seen, in order. */
  readonly transcript: string[] = [];

  constructor(readonly baseUrl: string) {}

  async call(path: string, init: RequestInit = {}): Promise<Reply> {
    const response = await fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    response.headers.forEach((value, name) => this.transcript.push(`${name}: ${value}`));
    this.transcript.push(text);
    return {
      status: response.status,
      headers: response.headers,
      text,
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see Reply.json
      json: <T>() => JSON.parse(text) as T,
    };
  }

  /** `GET path` with the session handle as a bearer token (none when undefined). */
  get(path: string, sessionToken?: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.call(path, {
      headers: { ...headers, ...(sessionToken === undefined ? {} : { authorization: `Bearer ${sessionToken}` }) },
    });
  }

  /** `POST /auth/login` with a JSON body. */
  login(username: string, password: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    });
  }

  /** Logs in and returns the session handle; fails the test when login does not succeed. */
  async sessionFor(customer: Pick<SandboxCustomer, 'username' | 'password'>): Promise<string> {
    const reply = await this.login(customer.username, customer.password);
    if (reply.status !== 200) throw new Error(`login of ${customer.username} answered ${reply.status}: ${reply.text}`);
    const token = reply.json<LoginBody>().sessionToken;
    if (token === undefined) throw new Error('login answered no sessionToken');
    return token;
  }
}

/** A running sample app and the sandbox behind it. */
export interface RunningSample {
  app: INestApplication;
  url: string;
  client: Client;
  /** The embedded sandbox, or the one passed in `CANDESCENT_BASE_URL`'s place. */
  sandbox: CandescentSandbox;
  close(): Promise<void>;
}

/**
 * Starts the sample app on a free loopback port, quiet. Without `CANDESCENT_BASE_URL` it runs on
 * its embedded sandbox; with one, `sandbox` must be the sandbox that URL leads to.
 */
export async function startSample(
  env: Record<string, string | undefined>,
  options: { sandbox?: SandboxOptions; external?: CandescentSandbox } = {},
): Promise<RunningSample> {
  // Suites that raise the per-IP login limit log the same customers in many times: the
  // per-username limit follows it unless a suite sets its own.
  const withLimits = { ...env, LOGIN_USERNAME_RATE_LIMIT: env.LOGIN_USERNAME_RATE_LIMIT ?? env.LOGIN_RATE_LIMIT };
  const sample = await createSampleApp(withLimits, { sandbox: options.sandbox, logger: false });
  await sample.app.listen(0, '127.0.0.1');
  const url = await sample.app.getUrl();
  const sandbox = sample.sandbox ?? options.external;
  if (!sandbox) {
    await sample.close();
    throw new Error('startSample: pass the sandbox behind CANDESCENT_BASE_URL as `external`');
  }
  return { app: sample.app, url, client: new Client(url), sandbox, close: () => sample.close() };
}

/** Environment that points the sample app at an already running sandbox (or a stand-in for it). */
export function sampleEnvFor(sandbox: CandescentSandbox, baseUrl: string = sandbox.url): Record<string, string> {
  return {
    CANDESCENT_BASE_URL: baseUrl,
    CANDESCENT_CONSUMER_KEY: sandbox.credentials.consumerKey,
    CANDESCENT_CONSUMER_SECRET: sandbox.credentials.consumerSecret,
    CANDESCENT_FIID: sandbox.credentials.fiId,
  };
}

/** One request a stand-in server received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Status it was answered with (forwarded answers included). */
  status: number;
  /** Body of the answer when it was forwarded. */
  answer?: string;
}

/** Answers a request itself (returns true) or leaves it to forwarding. */
export type StandInHandler = (request: SeenRequest, res: ServerResponse) => boolean;

/**
 * A plain node:http server that plays a Candescent origin: `handle` answers the paths a test
 * scripts, everything else is forwarded unchanged to `forwardTo` (the sandbox), so token
 * requests keep working and the sandbox still checks and records them. Every request and every
 * forwarded answer is kept.
 */
export class StandIn {
  readonly seen: SeenRequest[] = [];
  private server?: Server;
  private baseUrl?: string;

  private constructor(
    private readonly handle: StandInHandler,
    private readonly forwardTo?: string,
  ) {}

  static async start(handle: StandInHandler = () => false, forwardTo?: string): Promise<StandIn> {
    const standIn = new StandIn(handle, forwardTo);
    await standIn.listen();
    return standIn;
  }

  get url(): string {
    if (this.baseUrl === undefined) throw new Error('stand-in not started');
    return this.baseUrl;
  }

  /** Requests to one path, in arrival order. */
  to(path: string): SeenRequest[] {
    return this.seen.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    server.closeAllConnections();
    await closed;
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: { ...req.headers },
      body,
      status: 0,
    };
    this.seen.push(seen);
    res.on('finish', () => {
      seen.status = res.statusCode;
    });
    if (this.handle(seen, res)) return;
    if (this.forwardTo === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not scripted"}');
      return;
    }
    const forwarded = await forward(`${this.forwardTo}${req.url ?? '/'}`, seen.method, req.headers, body);
    seen.answer = forwarded.body;
    res.writeHead(forwarded.status, forwarded.headers).end(forwarded.body);
  }
}

function forward(
  target: string,
  method: string,
  headers: IncomingHttpHeaders,
  body: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, { method, headers: without(headers, ['host']) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        // The body is re-sent whole, so the hop-by-hop framing headers of the original do not apply.
        const kept = without(response.headers, ['transfer-encoding', 'connection']);
        resolve({ status: response.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function without(headers: IncomingHttpHeaders, names: string[]): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

/** Answers JSON. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  return true;
}

/** Every access and refresh token in the token responses a stand-in forwarded (JSON or XML). */
export function tokensIn(standIn: StandIn): string[] {
  const tokens = new Set<string>();
  for (const request of standIn.seen) {
    for (const match of (request.answer ?? '').matchAll(
      /"?(?:access_token|refresh_token)"?\s*[:>]\s*"?([A-Za-z0-9_\-.~+/=]{16,})/g,
    )) {
      if (match[1]) tokens.add(match[1]);
    }
  }
  return [...tokens];
}

/** The answer of a raw node:http request (for what fetch refuses: a source address, odd header bytes). */
export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends a request with node:http, optionally from another loopback address. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string },
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** A record's value under a key it may lack (the sandbox's record types do not say they may). */
export function entry<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The accounts ids of one sandbox customer, sorted. */
export function accountIds(customer: SandboxCustomer): string[] {
  return customer.accounts.map((account) => account.id).sort();
}

/** The accounts ids in a `GET /accounts` answer, sorted. */
export function idsIn(body: AccountsBody): string[] {
  return body.accounts.accounts.map((account) => account.id).sort();
}
