import { createConnection, createServer, type Socket } from 'node:net';

/** A loopback TCP proxy in front of a Redis server, to drop a connection at a chosen moment. */
export interface TcpProxy {
  readonly port: number;
  /** Connections from now on go to this port (an address that moved: a promoted replica). */
  retarget(port: number): void;
  /**
   * The next client data containing `marker` is forwarded, and the server's answers on that
   * connection are dropped from then on: as a server that ran a command and died before its reply
   * left. Resolves with a function that closes that connection (both sides).
   */
  swallowRepliesAfter(marker: string): Promise<() => void>;
  /** Stops forwarding what the server sends (it stays in the kernel's buffers, unread). */
  holdServerData(): void;
  /** Closes every connection, dropping what was held. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 port 0 that forwards to `targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let holding = false;
  const pairs = new Set<{ client: Socket; server: Socket }>();
  let swallow: { marker: string; found: (cut: () => void) => void } | undefined;
  const proxy = createServer((client) => {
    const server = createConnection({ host: '127.0.0.1', port: target });
    const pair = { client, server };
    pairs.add(pair);
    let swallowing = false;
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      if (swallow && chunk.includes(swallow.marker)) {
        swallowing = true;
        const { found } = swallow;
        swallow = undefined;
        found(cut);
      }
    });
    server.on('data', (chunk: Buffer) => {
      if (!swallowing) client.write(chunk);
    });
    if (holding) server.pause();
    const end = () => {
      pairs.delete(pair);
      cut();
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropConnections = () => {
    for (const { client, server } of pairs) {
      client.destroy();
      server.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    retarget: (next) => {
      target = next;
    },
    swallowRepliesAfter: (marker) =>
      new Promise((found) => {
        swallow = { marker, found };
      }),
    holdServerData: () => {
      holding = true;
      for (const { server } of pairs) server.pause();
    },
    dropConnections,
    close: () => {
      dropConnections();
      return new Promise((resolve) =>
        proxy.close(() => {
          resolve();
        }),
      );
    },
  };
}
