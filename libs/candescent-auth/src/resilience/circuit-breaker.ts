import { type CandescentService, CandescentUnavailableError } from '../errors/candescent-auth.error';
import { CandescentMetrics } from '../metrics/candescent-metrics';

type State = 'closed' | 'open' | 'half-open';

/**
 * One breaker per token service. Opens after `failureThreshold` consecutive failed requests,
 * fails fast while open, and after `resetTimeoutMs` lets exactly one probe through: its success
 * closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private state: State = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;

  constructor(
    private readonly service: CandescentService,
    private readonly failureThreshold: number,
    private readonly resetTimeoutMs: number,
    private readonly now: () => number,
  ) {}

  /** Current state, for health checks and metrics. */
  get status(): State {
    return this.state;
  }

  /** Throws a typed 503 while the circuit is open; otherwise lets the request through. */
  beforeRequest(): void {
    if (this.state === 'closed') return;
    const waited = this.now() - this.openedAt;
    if (this.state === 'open' && waited >= this.resetTimeoutMs && !this.probeInFlight) {
      this.transition('half-open');
      this.probeInFlight = true;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((this.resetTimeoutMs - waited) / 1000));
    throw new CandescentUnavailableError(
      `Candescent ${this.service.toUpperCase()} token service is failing; requests are paused for up to ${retryAfterSeconds} s (circuit open).`,
      { service: this.service, errorType: 'SYSTEM_ERROR', errorCode: 'CIRCUIT_OPEN', retryAfterSeconds },
    );
  }

  onSuccess(): void {
    this.transition('closed');
    this.failures = 0;
    this.probeInFlight = false;
  }

  onFailure(): void {
    this.probeInFlight = false;
    this.failures += 1;
    if (this.state === 'half-open' || this.failures >= this.failureThreshold) {
      this.transition('open');
      this.openedAt = this.now();
    }
  }

  private transition(next: State): void {
    if (this.state !== next) CandescentMetrics.circuit(this.service, next);
    this.state = next;
  }
}
