import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { SampleEnvironment } from '../sample-config';
import { type MetricsServer, serveMetrics } from './metrics-server';

/** For tests: read spans from an exporter of their own (e.g. `InMemorySpanExporter`), exported at once. */
export interface SampleTelemetryHooks {
  spanExporter?: SpanExporter;
}

const TRACER = 'candescent-sample';

/** What telemetry runs: where metrics are served (if here), and how to stop it. */
export interface SampleTelemetry {
  /** Set when metrics are served for Prometheus: their own listener on 127.0.0.1:`METRICS_PORT`. */
  metricsUrl?: string;
  /** Flushes and unregisters the SDK and closes the metrics listener (a no-op when off). */
  stop(): Promise<void>;
}

/**
 * Turns on the OpenTelemetry SDK when `OTEL_ENABLED=1` (or a test passes an exporter): spans
 * and metrics of the module, under one server span per incoming request. With
 * `OTEL_EXPORTER_OTLP_ENDPOINT` both go out over OTLP/HTTP; without it metrics are served for
 * Prometheus at `/metrics` on a listener of their own, 127.0.0.1:`METRICS_PORT`, not on the
 * app's port (spans then need an OTLP endpoint to go anywhere).
 */
export async function startSampleTelemetry(
  app: NestExpressApplication,
  environment: SampleEnvironment,
  hooks: SampleTelemetryHooks = {},
): Promise<SampleTelemetry> {
  if (!environment.OTEL_ENABLED && !hooks.spanExporter) return { stop: () => Promise.resolve() };
  const endpoint = environment.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  let reader: MetricReader;
  let metricsServer: MetricsServer | undefined;
  if (endpoint) {
    reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }) });
  } else {
    const prometheus = new PrometheusExporter({ preventServerStart: true });
    // Before anything global is registered: a port that cannot be bound leaves nothing behind.
    metricsServer = await serveMetrics(prometheus, environment.METRICS_PORT);
    reader = prometheus;
  }
  const spanProcessors: SpanProcessor[] = [];
  if (hooks.spanExporter) spanProcessors.push(new SimpleSpanProcessor(hooks.spanExporter));
  if (endpoint) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
  const tracerProvider = new NodeTracerProvider({ spanProcessors });
  // Global tracer, AsyncLocalStorage context and W3C trace context propagation.
  tracerProvider.register();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);

  app.use(requestSpan);
  return {
    metricsUrl: metricsServer?.url,
    stop: async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), metricsServer?.close()]);
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * One server span per incoming request, continuing the caller's trace (`traceparent`), so the
 * module's spans hang under the request that caused them. An app would use
 * `@opentelemetry/instrumentation-http` instead; the sample keeps its dependencies small.
 */
function requestSpan(req: Request, res: Response, next: NextFunction): void {
  const parent = propagation.extract(context.active(), req.headers);
  const path = req.path;
  const span = trace
    .getTracer(TRACER)
    .startSpan(
      `${req.method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path } },
      parent,
    );
  res.on('finish', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}
