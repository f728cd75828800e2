import { type Attributes, type Counter, type Histogram, metrics, type MeterProvider } from '@opentelemetry/api';

interface Instruments {
  tokenRequests: Counter;
  tokenRequestDuration: Histogram;
  tokenCache: Counter;
  sessions: Counter;
  circuit: Counter;
}

let provider: MeterProvider | undefined;
let instruments: Instruments | undefined;

/**
 * Instruments from the current global meter provider. The API hands out no-op meters until the
 * app registers an SDK, possibly after this module started, so the provider is checked on use
 * and the instruments are rebuilt when it changes.
 */
function current(): Instruments {
  const now = metrics.getMeterProvider();
  if (instruments && now === provider) return instruments;
  const meter = now.getMeter('@candescent/auth');
  provider = now;
  instruments = {
    tokenRequests: meter.createCounter('candescent.token.requests', {
      description: 'Token service requests, by service, grant and outcome (each attempt counts).',
    }),
    tokenRequestDuration: meter.createHistogram('candescent.token.request.duration', {
      description: 'Duration of token service attempts.',
      unit: 'ms',
    }),
    tokenCache: meter.createCounter('candescent.token.cache', {
      description: 'Institution token lookups, by result (hit, refresh-ahead, miss).',
    }),
    sessions: meter.createCounter('candescent.sessions', {
      description: 'Customer session events (login, logout, renewed, expired, rejected).',
    }),
    circuit: meter.createCounter('candescent.circuit.transitions', {
      description: 'Circuit breaker state changes, by service and new state.',
    }),
  };
  return instruments;
}

/** Lifecycle metrics through `@opentelemetry/api`: a no-op unless the app registers an SDK. Attributes never hold secrets. */
export const CandescentMetrics = {
  tokenRequest(attributes: { service: string; grant: string; outcome: string }, durationMs: number): void {
    const i = current();
    i.tokenRequests.add(1, attributes);
    i.tokenRequestDuration.record(durationMs, attributes);
  },
  tokenCache(result: 'hit' | 'refresh-ahead' | 'miss', attributes: Attributes = {}): void {
    current().tokenCache.add(1, { ...attributes, result });
  },
  session(event: 'login' | 'logout' | 'renewed' | 'expired' | 'rejected', attributes: Attributes = {}): void {
    current().sessions.add(1, { ...attributes, event });
  },
  circuit(service: string, state: string): void {
    current().circuit.add(1, { service, state });
  },
};
