import Module from 'node:module';

/**
 * Counts promise rejections nobody handled while a suite runs: the module must leave none, even
 * when Redis dies under it. Inside Jest, `process` is a copy that never receives the event, so
 * the listener goes on the real one (Node's loader hands it out). Jest fails the running test on
 * such a rejection as well; the count makes the promise explicit and survives a change of runner.
 */
export class UnhandledRejections {
  readonly reasons: string[] = [];
  private readonly target = realProcess();
  private readonly listener = (reason: unknown) => {
    this.reasons.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  };

  constructor() {
    this.target.on('unhandledRejection', this.listener);
  }

  stop(): void {
    this.target.off('unhandledRejection', this.listener);
  }
}

function realProcess(): NodeJS.Process {
  const loader = Module as unknown as { _load?: (request: string) => unknown };
  const loaded = loader._load?.('process');
  return loaded && typeof (loaded as NodeJS.Process).on === 'function' ? (loaded as NodeJS.Process) : process;
}
