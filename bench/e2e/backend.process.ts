import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { CandescentSandbox } from '@candescent/auth/testing';
import { HEAP_CUSTOMERS, STORM_CUSTOMERS } from './apps/candescent-credentials';
import { serveParent } from './child-handle';
import { STATIC_BEARER, UPSTREAM_BODY, UPSTREAM_PATH } from './upstream.constants';

/**
 * The far side of every end-to-end scenario, in a process of its own: the Candescent sandbox
 * (token service) behind a small node:http gateway that also serves the upstream GET. One origin
 * for both, because the module only adds tokens to calls to the origin it gets tokens from; every
 * contender uses the same gateway, so they all pay the same proxy hop on token requests.
 */
const sandbox = new CandescentSandbox({ host: '127.0.0.1', port: 0 });
for (const customer of [...HEAP_CUSTOMERS, ...STORM_CUSTOMERS]) sandbox.addCustomer(customer);
let gateway: Server | undefined;
let sandboxPort = 0;

/** The form Candescent wants a call's transaction id in (`transactionId` on V2, `di_tid` on V1). */
const TRANSACTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The banking call of every outgoing scenario, answered as Candescent would: 400 without a
 * transaction id (every contender must send one per call, as the contract says), 401 without a
 * token the sandbox issued (or the floor's fixed one), else a small JSON body.
 */
function upstream(req: IncomingMessage, res: ServerResponse): void {
  const transactionId = req.headers.transactionid ?? req.headers.di_tid;
  if (typeof transactionId !== 'string' || !TRANSACTION_ID.test(transactionId)) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"missing or malformed transactionId"}');
    return;
  }
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  const token = match?.[1];
  if (token === undefined || (token !== STATIC_BEARER && !sandbox.isAccessTokenValid(token))) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
    return;
  }
  res
    .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(UPSTREAM_BODY) })
    .end(UPSTREAM_BODY);
}

function proxyToSandbox(req: IncomingMessage, res: ServerResponse): void {
  const forward = httpRequest(
    { host: '127.0.0.1', port: sandboxPort, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => res.socket?.destroy());
  req.pipe(forward);
}

serveParent(
  async () => {
    sandboxPort = Number(new URL(await sandbox.start()).port);
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === UPSTREAM_PATH) upstream(req, res);
      else proxyToSandbox(req, res);
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
    gateway = server;
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  },
  {
    counters: () => ({ counters: sandbox.counters() }),
    latency: (message) => {
      sandbox.clearFaults();
      const ms = Number(message.ms);
      if (ms > 0) sandbox.injectFault({ kind: 'latency', ms, times: Infinity, route: 'v2-token' });
      return {};
    },
  },
  async () => {
    gateway?.closeAllConnections();
    const server = gateway;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
    await sandbox.stop();
  },
);
