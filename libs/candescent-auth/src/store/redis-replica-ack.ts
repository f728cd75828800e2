import { AsyncLocalStorage } from 'node:async_hooks';
import calculateSlot from 'cluster-key-slot';
import { CandescentLogger } from '../logging/candescent-logger';
import type { CandescentRedisClient } from './redis-client.interface';

/** How often the replica count of a single master (URL or Sentinel) is read again (`INFO replication`). */
const REPLICA_COUNT_TTL_MS = 5_000;
/** How often at most a write no replica acknowledged is logged. */
const WARN_EVERY_MS = 60_000;

/** The part of an ioredis `Redis` or `Cluster` a replicated write needs. */
interface PipelineClient {
  readonly status: string;
  readonly isCluster?: boolean;
  /** ioredis `Cluster`: per hash slot, the master's `host:port` and then its replicas'. */
  readonly slots?: string[][];
  duplicate(): PipelineClient & CandescentRedisClient;
  connect(): Promise<unknown>;
  call(command: string, ...args: string[]): Promise<unknown>;
  pipeline(): {
    call(command: string, ...args: string[]): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
}

const wanted = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with its Redis writes acknowledged by a replica: a write in it is followed by
 * `WAIT 1` on the same connection, so a failover right after it cannot lose it. For the writes
 * the module must not lose (a rotated refresh token, a new session), never for reads.
 */
export function acknowledgedByReplica<T>(fn: () => Promise<T>): Promise<T> {
  return wanted.run(true, fn);
}

/** Whether the running write asked for a replica's acknowledgement. */
export function replicaAckWanted(): boolean {
  return wanted.getStore() === true;
}

/**
 * Writes that a replica acknowledges (`WAIT 1 <timeout>` pipelined after the write). They go
 * through a second connection of their own: WAIT holds the connection it is sent on until a
 * replica answers, and the store's reads must not queue behind it. A master without replicas
 * gets the plain write; when no replica answers within the timeout the write stands on the master
 * (it is lost only if that master fails before replicating it) and a warning says so.
 */
export class ReplicaAck {
  private client?: PipelineClient & CandescentRedisClient;
  private connecting?: Promise<unknown>;
  private replicaCount?: { count: number; at: number };
  private warnedAt = -Infinity;
  private readonly logger = new CandescentLogger('CandescentRedisStore');

  constructor(
    private readonly main: CandescentRedisClient,
    private readonly ackTimeoutMs: number,
  ) {}

  /** Whether the client can duplicate itself and pipeline (every ioredis client can). */
  get supported(): boolean {
    const candidate = this.main as Partial<PipelineClient>;
    return typeof candidate.duplicate === 'function' && typeof candidate.pipeline === 'function';
  }

  /**
   * Sends `command` (a write on `redisKey`) and, when the key's master has replicas, `WAIT 1`
   * right after it on the same connection; resolves to the write's reply.
   */
  async write(redisKey: string, command: string, ...args: string[]): Promise<unknown> {
    const { reply, acknowledged } = await this.send(redisKey, command, args);
    if (acknowledged === false) this.notAcknowledged();
    return reply;
  }

  /**
   * As {@link write}, without the warning: resolves to whether the write is known to be on a
   * replica (or its master has none), for a caller that sends it again until it is.
   */
  async writeUntilAcknowledged(redisKey: string, command: string, ...args: string[]): Promise<boolean> {
    return (await this.send(redisKey, command, args)).acknowledged === true;
  }

  /** Whether the master that holds `redisKey` has replicas. */
  async replicated(redisKey: string): Promise<boolean> {
    return (await this.replicasOf(await this.connected(), redisKey)) > 0;
  }

  /**
   * The write's reply, and whether a replica acknowledged it: true (or no replica to ask), false
   * (none within the timeout), undefined (the connection failed after the write was answered).
   */
  private async send(
    redisKey: string,
    command: string,
    args: string[],
  ): Promise<{ reply: unknown; acknowledged?: boolean }> {
    const client = await this.connected();
    if ((await this.replicasOf(client, redisKey)) === 0)
      return { reply: await client.call(command, ...args), acknowledged: true };
    const pipeline = client.pipeline();
    pipeline.call(command, ...args);
    pipeline.call('WAIT', '1', String(this.ackTimeoutMs));
    const replies: Array<[Error | null, unknown] | undefined> = (await pipeline.exec()) ?? [];
    const [written, waited] = replies;
    if (!written) throw new Error('Connection is closed.');
    if (written[0]) throw written[0];
    return { reply: written[1], acknowledged: waited && !waited[0] ? Number(waited[1]) >= 1 : undefined };
  }

  /** Closes the connection of acknowledged writes, if one was opened. */
  close(): void {
    this.client?.disconnect();
    this.client = undefined;
  }

  private async connected(): Promise<PipelineClient & CandescentRedisClient> {
    if (!this.client) {
      this.client = (this.main as unknown as PipelineClient).duplicate();
      // Its failures reach the caller through the command; the main connection logs the outage.
      this.client.on('error', () => undefined);
    }
    const client = this.client;
    if (client.status === 'wait') {
      this.connecting ??= client.connect().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    return client;
  }

  /** Replicas of the master that holds `redisKey`, as the cluster's slot map or `INFO replication` says. */
  private async replicasOf(client: PipelineClient, redisKey: string): Promise<number> {
    if (client.isCluster === true) return Math.max(0, (client.slots?.[calculateSlot(redisKey)]?.length ?? 1) - 1);
    const now = performance.now();
    if (!this.replicaCount || now - this.replicaCount.at > REPLICA_COUNT_TTL_MS) {
      const info = String(await client.call('INFO', 'replication'));
      this.replicaCount = { count: Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0), at: now };
    }
    return this.replicaCount.count;
  }

  private notAcknowledged(): void {
    const now = performance.now();
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    this.logger.warn(
      `A session write was not acknowledged by any Redis replica within ${this.ackTimeoutMs} ms; it is stored on the master, and a failover before it replicates would lose it (the customer then logs in again).`,
    );
  }
}
