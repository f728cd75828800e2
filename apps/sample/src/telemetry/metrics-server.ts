import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { setApiSecurityHeaders } from '../web/security-headers.middleware';

/** The listener that serves the metrics for Prometheus. */
export interface MetricsServer {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` on a port of its own bound to 127.0.0.1 (`METRICS_PORT`), never on the
 * app's port: login counts and error codes are for the operator's scraper, not for clients.
 */
export async function serveMetrics(exporter: PrometheusExporter, port: number): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    setApiSecurityHeaders(response);
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    if (new URL(request.url ?? '/', 'http://metrics.invalid').pathname !== '/metrics') {
      response.writeHead(404).end('Only /metrics is served here.\n');
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end('Use GET /metrics.\n');
    } else {
      exporter.getMetricsRequestHandler(request, response);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          `METRICS_PORT: the metrics listener could not bind 127.0.0.1:${port} (${error.code ?? error.message}); set METRICS_PORT to a free port, or 0 for any.`,
        ),
      );
    });
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
