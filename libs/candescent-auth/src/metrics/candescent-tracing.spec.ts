import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { CandescentContext } from '../context/request-context';
import { CandescentUnavailableError } from '../errors/candescent-auth.error';
import { validateOptions } from '../options/validate-options';
import { TokenRequestExecutor } from '../resilience/token-request.executor';
import { CANDESCENT_SPAN_NAMES, traceSession } from './candescent-tracing';

describe('CandescentTracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const options = validateOptions({
    baseUrl: 'https://x.example',
    consumerKey: 'k',
    consumerSecret: 'tracing-secret-1',
    fiId: '1',
    retry: { maxAttempts: 3, baseDelayMs: 0 },
  });
  const executor = new TokenRequestExecutor(options, { now: () => 0, sleep: () => Promise.resolve(), random: () => 0 });

  beforeAll(() => {
    provider.register();
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => {
    exporter.reset();
  });

  it('puts one span around a token request, counts its attempts, and parents it to the active span', async () => {
    const traceId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    let calls = 0;
    await trace.getTracer('test').startActiveSpan('incoming request', (outer) =>
      CandescentContext.run({ traceId }, () =>
        executor.execute('v2', 'client_credentials', () => {
          calls += 1;
          if (calls === 1) return Promise.reject(new CandescentUnavailableError('down', { errorCode: 'CMN_90000' }));
          return Promise.resolve('tracing-token-value-1');
        }),
      ).finally(() => {
        outer.end();
      }),
    );
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === CANDESCENT_SPAN_NAMES.tokenRequest);
    const outer = spans.find((s) => s.name === 'incoming request');
    expect(request?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(request?.attributes).toEqual({
      'candescent.service': 'v2',
      'candescent.grant': 'client_credentials',
      'candescent.institution': 'default',
      'candescent.attempts': 2,
      'candescent.outcome': 'success',
      'candescent.trace_id': traceId,
    });
    expect(request?.events.map((e) => e.attributes)).toEqual([
      { 'candescent.attempt': 1, 'candescent.outcome': 'CMN_90000' },
    ]);
    const printed = JSON.stringify(spans.map((s) => [s.attributes, s.events]));
    expect(printed).not.toContain('tracing-token-value-1');
    expect(printed).not.toContain('tracing-secret-1');
  });

  it('marks a failed login span as an error with the error code only', async () => {
    const failure = new CandescentUnavailableError('the upstream said tracing-token-value-2', {
      errorCode: 'UPSTREAM_DOWN',
    });
    await expect(traceSession('login', ['v1', 'v2'], () => Promise.reject(failure))).rejects.toBe(failure);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0];
    expect(span.name).toBe(CANDESCENT_SPAN_NAMES.login);
    expect(span.attributes).toEqual({ 'candescent.service': 'v1,v2', 'candescent.outcome': 'UPSTREAM_DOWN' });
    expect(span.status).toEqual({ code: 2, message: 'UPSTREAM_DOWN' });
    expect(JSON.stringify(span.events)).not.toContain('tracing-token-value-2');
  });
});
