import { CandescentUnavailableError } from '../errors/candescent-auth.error';
import { CircuitBreaker, type CircuitBreakerSettings } from './circuit-breaker';

const SETTINGS: CircuitBreakerSettings = {
  failureRateThreshold: 50,
  minimumCalls: 10,
  slidingWindowMs: 10_000,
  resetTimeoutMs: 5_000,
  halfOpenProbes: 3,
};

describe('CircuitBreaker', () => {
  let now: number;
  const create = (settings: Partial<CircuitBreakerSettings> = {}) =>
    new CircuitBreaker('v2', { ...SETTINGS, ...settings }, () => now, 'default');
  const run = (breaker: CircuitBreaker, verdict: 'success' | 'failure' | 'ignored') => {
    breaker.admit().settle(verdict);
  };
  const refusal = (breaker: CircuitBreaker): CandescentUnavailableError => {
    try {
      breaker.admit();
    } catch (error: unknown) {
      if (error instanceof CandescentUnavailableError) return error;
      throw error;
    }
    throw new Error('expected the breaker to refuse');
  };

  beforeEach(() => {
    now = 1_000_000;
  });

  it('stays closed while fewer than minimumCalls operations ended, however many failed', () => {
    const breaker = create();
    for (let i = 0; i < 9; i++) run(breaker, 'failure');
    expect(breaker.status).toBe('closed');
    run(breaker, 'failure');
    expect(breaker.status).toBe('open');
  });

  it('opens at the failure rate, not before: 4 of 10 failed stays closed, 5 of 10 opens', () => {
    const below = create();
    for (let i = 0; i < 6; i++) run(below, 'success');
    for (let i = 0; i < 4; i++) run(below, 'failure');
    expect(below.status).toBe('closed');
    const at = create();
    for (let i = 0; i < 5; i++) run(at, 'success');
    for (let i = 0; i < 5; i++) run(at, 'failure');
    expect(at.status).toBe('open');
  });

  it('does not count rate-limited operations either way', () => {
    const breaker = create({ minimumCalls: 4 });
    for (let i = 0; i < 50; i++) run(breaker, 'ignored');
    run(breaker, 'failure');
    run(breaker, 'failure');
    run(breaker, 'success');
    expect(breaker.status).toBe('closed');
    run(breaker, 'success');
    run(breaker, 'failure');
    // 3 failures of 5 counted operations: 60 %.
    expect(breaker.status).toBe('open');
  });

  it('forgets failures older than the window, even after a quiet spell', () => {
    const breaker = create({ minimumCalls: 6 });
    for (let i = 0; i < 5; i++) run(breaker, 'failure');
    now += 60_000;
    run(breaker, 'failure');
    expect(breaker.status).toBe('closed');
    for (let i = 0; i < 4; i++) run(breaker, 'failure');
    now += 5_000;
    run(breaker, 'failure');
    expect(breaker.status).toBe('open');
  });

  it('while open refuses with CIRCUIT_OPEN and the seconds left as Retry-After', () => {
    const breaker = create({ minimumCalls: 2 });
    run(breaker, 'failure');
    run(breaker, 'failure');
    now += 1_200;
    const error = refusal(breaker);
    expect(error).toMatchObject({ status: 503, errorCode: 'CIRCUIT_OPEN', retryAfterSeconds: 4, service: 'v2' });
    expect(error.message).toContain('Cached tokens stay in use');
  });

  it('after resetTimeoutMs lets halfOpenProbes operations through; the first success closes it', () => {
    const breaker = create({ minimumCalls: 2 });
    run(breaker, 'failure');
    run(breaker, 'failure');
    now += 5_000;
    expect(breaker.status).toBe('half-open');
    const probes = [breaker.admit(), breaker.admit(), breaker.admit()];
    expect(probes.every((p) => p.probe)).toBe(true);
    expect(refusal(breaker).retryAfterSeconds).toBe(1);
    probes[0].settle('failure');
    expect(breaker.status).toBe('half-open');
    probes[1].settle('success');
    expect(breaker.status).toBe('closed');
    // A late verdict from the round before the change is dropped.
    probes[2].settle('failure');
    expect(breaker.status).toBe('closed');
    expect(breaker.admit().probe).toBe(false);
  });

  it('opens again when every probe of the round failed', () => {
    const breaker = create({ minimumCalls: 2 });
    run(breaker, 'failure');
    run(breaker, 'failure');
    now += 5_000;
    for (let i = 0; i < 3; i++) run(breaker, 'failure');
    expect(breaker.status).toBe('open');
    expect(refusal(breaker).retryAfterSeconds).toBe(5);
  });

  it('a rate-limited probe hands its place to the next caller', () => {
    const breaker = create({ minimumCalls: 2, halfOpenProbes: 1 });
    run(breaker, 'failure');
    run(breaker, 'failure');
    now += 5_000;
    const probe = breaker.admit();
    expect(() => breaker.admit()).toThrow(CandescentUnavailableError);
    probe.settle('ignored');
    run(breaker, 'success');
    expect(breaker.status).toBe('closed');
  });

  it('operations admitted before the circuit opened do not close it when they end later', () => {
    const breaker = create({ minimumCalls: 2 });
    const slow = breaker.admit();
    run(breaker, 'failure');
    run(breaker, 'failure');
    expect(breaker.status).toBe('open');
    slow.settle('success');
    expect(breaker.status).toBe('open');
  });
});
