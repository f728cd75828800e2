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
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  call(command: string, ...args: string[]): Promise<unknown>;
  pipeline(): {
    call(command: string, ...args: string[]): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
}

/** A write waiting to be sent with the others of its tick. */
interface PendingWrite {
  command: string;
  args: string[];
  resolve: (sent: { reply: unknown; acknowledged?: boolean }) => void;
  reject: (error: unknown) => void;
}

/** The writes of one connection (or hash slot) waiting for a `WAIT`, and whether one is out. */
interface WriteGroup {
  queued: PendingWrite[];
  sending: boolean;
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
  /** Acknowledged writes waiting to go out, by hash slot (0 off a Cluster). */
  private readonly groups = new Map<number, WriteGroup>();
  /** The `INFO replication` in flight, shared by the writes that need it. */
  private countRead?: Promise<number>;
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
   *
   * Group commit: while a `WAIT` is out (per hash slot on a Cluster), the writes that come in
   * wait for it and then go out together, followed by one `WAIT` (it covers everything written
   * before it on the connection). Each `WAIT` that finds no replica holds the connection for the
   * whole timeout; one per write made a queue right after a failover (the promoted master has no
   * replica yet), where at a busy app's renewal rate writes waited half a second each, one after
   * the other. Now a write waits at most for the `WAIT` in flight and its own.
   */
  private async send(
    redisKey: string,
    command: string,
    args: string[],
  ): Promise<{ reply: unknown; acknowledged?: boolean }> {
    const client = await this.connected();
    if ((await this.replicasOf(client, redisKey)) === 0)
      return { reply: await client.call(command, ...args), acknowledged: true };
    const key = client.isCluster === true ? calculateSlot(redisKey) : 0;
    let group = this.groups.get(key);
    if (!group) {
      group = { queued: [], sending: false };
      this.groups.set(key, group);
    }
    const joined = group;
    const sent = new Promise<{ reply: unknown; acknowledged?: boolean }>((resolve, reject) =>
      joined.queued.push({ command, args, resolve, reject }),
    );
    if (!joined.sending) {
      joined.sending = true;
      // The end of the tick: writes asked for together leave together.
      process.nextTick(() => void this.sendGroup(client, key, joined));
    }
    return sent;
  }

  /** Sends what a group has queued with one `WAIT 1`, and again while more came in meanwhile. */
  private async sendGroup(client: PipelineClient, key: number, group: WriteGroup): Promise<void> {
    // After a WAIT that no replica answered, the writes that queued behind it go out without one:
    // waiting a second timeout would double their delay (past the command timeout) for an answer
    // just seen missing. They count as not acknowledged; the group after them waits again.
    let replicaMissing = false;
    while (group.queued.length > 0) {
      const writes = group.queued.splice(0);
      try {
        const pipeline = client.pipeline();
        for (const { command, args } of writes) pipeline.call(command, ...args);
        const wait: boolean = !replicaMissing;
        if (wait) pipeline.call('WAIT', '1', String(this.ackTimeoutMs));
        const replies: Array<[Error | null, unknown] | undefined> = (await pipeline.exec()) ?? [];
        const waited: [Error | null, unknown] | undefined = wait ? replies[writes.length] : [null, 0];
        const acknowledged: boolean | undefined = waited && !waited[0] ? Number(waited[1]) >= 1 : undefined;
        replicaMissing = wait && acknowledged === false;
        // No replica answered: the master may have lost its replicas (a promoted one has none yet). Ask again.
        if (acknowledged !== true) this.replicaCount = undefined;
        writes.forEach(({ resolve, reject }, index) => {
          const written = replies[index];
          if (!written) reject(new Error('Connection is closed.'));
          else if (written[0]) reject(written[0]);
          else resolve({ reply: written[1], acknowledged });
        });
      } catch (error) {
        this.replicaCount = undefined;
        for (const { reject } of writes) reject(error);
      }
    }
    group.sending = false;
    if (this.groups.get(key) === group) this.groups.delete(key);
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
      // Connected again, perhaps to another master (Sentinel): its replica count is not known yet.
      this.client.on('ready', () => (this.replicaCount = undefined));
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
    if (this.replicaCount && now - this.replicaCount.at <= REPLICA_COUNT_TTL_MS) return this.replicaCount.count;
    this.countRead ??= client
      .call('INFO', 'replication')
      .then((info) => {
        const count = Number(/connected_slaves:(\d+)/.exec(String(info))?.[1] ?? 0);
        this.replicaCount = { count, at: performance.now() };
        return count;
      })
      .finally(() => (this.countRead = undefined));
    return this.countRead;
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
