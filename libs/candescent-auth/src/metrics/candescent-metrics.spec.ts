import { type Attributes, metrics, type MeterProvider } from '@opentelemetry/api';
import { CandescentUnavailableError } from '../errors/candescent-auth.error';
import { validateOptions } from '../options/validate-options';
import { CircuitBreaker } from '../resilience/circuit-breaker';
import { TokenRequestExecutor } from '../resilience/token-request.executor';

type Recorded = { instrument: string; value: number; attributes: Attributes };

/** A meter provider that records every measurement, standing in for an SDK. */
function recordingProvider(records: Recorded[]): MeterProvider {
  const instrument = (name: string) => ({
    add: (value: number, attributes: Attributes = {}) => records.push({ instrument: name, value, attributes }),
    record: (value: number, attributes: Attributes = {}) => records.push({ instrument: name, value, attributes }),
  });
  return { getMeter: () => ({ createCounter: instrument, createHistogram: instrument }) } as unknown as MeterProvider;
}

describe('CandescentMetrics', () => {
  const records: Recorded[] = [];
  let now = 0;

  beforeAll(() => metrics.setGlobalMeterProvider(recordingProvider(records)));
  afterAll(() => {
    metrics.disable();
  });
  beforeEach(() => {
    records.length = 0;
  });

  it('counts every token request attempt with its outcome and duration, never a secret', async () => {
    const options = validateOptions({
      baseUrl: 'https://x.example',
      consumerKey: 'k',
      consumerSecret: 'metrics-secret-1',
      fiId: '1',
      retry: { maxAttempts: 2, baseDelayMs: 0 },
    });
    const executor = new TokenRequestExecutor(options, {
      now: () => now,
      sleep: () => Promise.resolve(),
      random: () => 0,
    });
    let calls = 0;
    const result = await executor.execute('v2', 'client_credentials', () => {
      calls += 1;
      now += 7;
      if (calls === 1) return Promise.reject(new CandescentUnavailableError('down', { errorCode: 'CMN_90000' }));
      return Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    const counted = records.filter((r) => r.instrument === 'candescent.token.requests');
    expect(counted.map((r) => r.attributes)).toEqual([
      { service: 'v2', grant: 'client_credentials', outcome: 'CMN_90000', institution: 'default' },
      { service: 'v2', grant: 'client_credentials', outcome: 'success', institution: 'default' },
    ]);
    const durations = records.filter((r) => r.instrument === 'candescent.token.request.duration').map((r) => r.value);
    expect(durations).toEqual([7, 7]);
    expect(JSON.stringify(records)).not.toContain('metrics-secret-1');
  });

  it('records circuit breaker transitions once per change', () => {
    const breaker = new CircuitBreaker(
      'v1',
      { failureRateThreshold: 50, minimumCalls: 2, slidingWindowMs: 10_000, resetTimeoutMs: 1_000, halfOpenProbes: 1 },
      () => now,
      'cu-harbor',
    );
    breaker.admit().settle('failure');
    breaker.admit().settle('failure');
    expect(() => breaker.admit()).toThrow(CandescentUnavailableError);
    now += 1_000;
    breaker.admit().settle('success');
    const states = records
      .filter((r) => r.instrument === 'candescent.circuit.transitions')
      .map((r) => r.attributes.state);
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(
      records.filter((r) => r.instrument === 'candescent.circuit.transitions').map((r) => r.attributes.institution),
    ).toEqual(['cu-harbor', 'cu-harbor', 'cu-harbor']);
  });
});
