import type { Attributes, Counter, Histogram, MeterProvider, MetricsAPI } from '@opentelemetry/api';
import { loadOptionalPeer } from '../peers/optional-peer';

// A peer dependency the module also runs without (pnpm or --legacy-peer-deps may leave it out):
// then every measurement is dropped, as the API's own no-op meter would do.
const metrics = (loadOptionalPeer('@opentelemetry/api') as { metrics: MetricsAPI } | undefined)?.metrics;
const NOOP_INSTRUMENT = { add: (): void => undefined, record: (): void => undefined };
const NOOP: Instruments = {
  tokenRequests: NOOP_INSTRUMENT,
  tokenRequestDuration: NOOP_INSTRUMENT,
  tokenCache: NOOP_INSTRUMENT,
  sessions: NOOP_INSTRUMENT,
  circuit: NOOP_INSTRUMENT,
};

interface Instruments {
  tokenRequests: Counter;
  tokenRequestDuration: Histogram;
  tokenCache: Counter;
  sessions: Counter;
  circuit: Counter;
}

let provider: MeterProvider | undefined;
let instruments: Instruments | undefined;
let checkedAt = 0;
/** How often the global provider is looked up again; the lookup is too slow for every cache hit. */
const PROVIDER_CHECK_INTERVAL_MS = 1_000;

/**
 * Instruments from the current global meter provider. The API hands out no-op meters until the
 * app registers an SDK, possibly after this module started, so the provider is looked up again
 * at most once a second and the instruments are rebuilt when it changed.
 */
function current(): Instruments {
  if (!metrics) return NOOP;
  const at = Date.now();
  if (instruments && at - checkedAt < PROVIDER_CHECK_INTERVAL_MS) return instruments;
  checkedAt = at;
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

const cacheAttributeSets = new Map<string, Attributes>();

/**
 * One frozen attribute set per (result, service, institution): the cache-hit path allocates
 * nothing. Bounded by the institutions configured (three results and two services each).
 */
function cacheAttributes(result: string, service: string, institution: string): Attributes {
  const key = `${result}:${service}:${institution}`;
  let attributes = cacheAttributeSets.get(key);
  if (!attributes) {
    attributes = Object.freeze({ result, service, institution });
    cacheAttributeSets.set(key, attributes);
  }
  return attributes;
}

/**
 * Lifecycle metrics through `@opentelemetry/api`: a no-op unless the app registers an SDK.
 * Attributes never hold secrets. Every measurement carries `institution`, the institution's id
 * in the module's options (`default` for options that name one FI at the top).
 */
export const CandescentMetrics = {
  tokenRequest(
    attributes: { service: string; grant: string; outcome: string; institution: string },
    durationMs: number,
  ): void {
    const i = current();
    i.tokenRequests.add(1, attributes);
    i.tokenRequestDuration.record(durationMs, attributes);
  },
  tokenCache(result: 'hit' | 'refresh-ahead' | 'miss', service: string, institution: string): void {
    current().tokenCache.add(1, cacheAttributes(result, service, institution));
  },
  session(event: 'login' | 'logout' | 'renewed' | 'expired' | 'rejected', institution: string): void {
    current().sessions.add(1, { event, institution });
  },
  circuit(service: string, state: string, institution: string): void {
    current().circuit.add(1, { service, state, institution });
  },
};
