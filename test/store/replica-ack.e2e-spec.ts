import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type CandescentSessionService, RedisStore } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { hashHandle } from '../../libs/candescent-auth/src/session/session-handle';
import { acknowledgedByReplica } from '../../libs/candescent-auth/src/store/redis-replica-ack';
import { FakeClock } from '../support/clock';
import { LogCapture } from '../support/logs';
import { openSessionInstance } from '../support/module';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const [alice, bob] = DEMO_CUSTOMERS;

/** One command as MONITOR shows it: its name, arguments and the connection that sent it. */
interface Seen {
  command: string;
  args: string[];
  source: string;
}

/**
 * The writes a failover must not lose (a new session at login, a rotated refresh token at
 * renewal) are acknowledged by a replica (`WAIT 1`, on the connection that wrote them) before the
 * module relies on them; reads never wait for one; a replica that does not answer delays the
 * write by a bounded time, and the write stands.
 */
describeRedis('session writes acknowledged by a replica', () => {
  let master: RedisServerHandle;
  let replica: RedisServerHandle;
  let sandbox: CandescentSandbox;
  let monitor: Redis;
  /** A plain client whose ECHO marks a point in MONITOR's feed. */
  let probe: Redis;
  let seen: Seen[] = [];
  const encryptionKey = randomBytes(32).toString('base64');
  const opened: Array<() => Promise<void>> = [];
  // The replica writes the copy it receives to disk: into a directory of its own.
  const dir = mkdtempSync(join(tmpdir(), 'candescent-replica-'));

  async function instance(clock: FakeClock, logs: LogCapture): Promise<CandescentSessionService> {
    const store = new RedisStore({ url: master.url, encryptionKey });
    const opening = await openSessionInstance(sandbox, store, clock, { session: { idleTimeoutMs: 3_600_000 } }, logs);
    opened.push(
      () => opening.close(),
      () => store.close(),
    );
    return opening.sessions;
  }

  /** Waits until MONITOR has shown every command the server ran so far (it reports them late). */
  async function monitorCaughtUp(): Promise<void> {
    const marker = `caught-up-${randomBytes(6).toString('hex')}`;
    await probe.echo(marker);
    await waitFor(() => seen.some((entry) => entry.command === 'echo' && entry.args[0] === marker), 2_000, 'MONITOR');
  }

  /**
   * Whether a `WAIT 1` follows the command at `index` on its connection, before any read there: it
   * acknowledges every write sent before it on that connection (writes made together share one).
   */
  function waitFollows(index: number): boolean {
    const source = seen[index].source;
    for (const later of seen.slice(index + 1)) {
      if (later.source !== source) continue;
      if (later.command === 'wait') return later.args[0] === '1';
      if (later.command !== 'set' && later.command !== 'eval' && later.command !== 'del') return false;
    }
    return false;
  }

  /** The commands that wrote the session's value, each with whether a WAIT followed on its connection. */
  function valueWrites(id: string): Array<{ command: string; acknowledged: boolean }> {
    return seen.flatMap((entry, i) => {
      const writesValue =
        (entry.command === 'set' || entry.command === 'eval') &&
        entry.args.some((a) => a.endsWith(`data:session:{${id}}`));
      if (!writesValue) return [];
      return [{ command: entry.command, acknowledged: waitFollows(i) }];
    });
  }

  /** For each release of the session's renewal lock, whether a WAIT followed on its connection. */
  function lockReleases(id: string): boolean[] {
    return seen.flatMap((entry, i) => {
      const releases =
        entry.command === 'eval' &&
        entry.args[0]?.includes("redis.call('del'") &&
        entry.args.some((a) => a.endsWith(`lock:session:{${id}}`));
      if (!releases) return [];
      return [waitFollows(i)];
    });
  }

  beforeAll(async () => {
    master = await startRedisServer();
    replica = await startRedisServer({ args: ['--dir', dir, '--replicaof', '127.0.0.1', String(master.port)] });
    const admin = new Redis(master.url);
    await waitFor(async () => (await admin.info('replication')).includes('state=online'), 10_000, 'the replica');
    admin.disconnect();
    sandbox = await startSandbox();
    // MONITOR runs on a duplicate; the lazy original never connects.
    probe = new Redis(master.url);
    monitor = await new Redis(master.url, { lazyConnect: true }).monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [command = '', ...rest] = args;
      // Commands a script runs show up too, from "lua": only what clients sent counts here.
      if (source === 'lua') return;
      seen.push({ command: command.toLowerCase(), args: rest, source });
    });
  });

  beforeEach(() => {
    seen = [];
  });

  afterEach(async () => {
    for (const close of opened.splice(0)) await close();
    sandbox.clearFaults();
  });

  afterAll(async () => {
    monitor.disconnect();
    probe.disconnect();
    await sandbox.stop();
    await replica.stop();
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a login and a renewal wait for a replica; a guarded read sends no WAIT', async () => {
    const clock = new FakeClock();
    const logs = new LogCapture();
    const sessions = await instance(clock, logs);
    const login = await sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(login.sessionToken);
    await waitFor(() => valueWrites(id).length === 1, 2_000, 'the login write in MONITOR');
    expect(valueWrites(id)).toEqual([{ command: 'set', acknowledged: true }]);

    await monitorCaughtUp();
    seen = [];
    await sessions.authenticate(login.sessionToken);
    await monitorCaughtUp();
    expect(seen.filter((entry) => entry.command === 'wait')).toEqual([]);

    clock.advance(1_750_000); // inside the refresh window of the 1799 s token
    const renewed = await sessions.renew(id);
    await waitFor(() => valueWrites(id).length === 1, 2_000, 'the renewal write in MONITOR');
    expect(valueWrites(id)).toEqual([{ command: 'eval', acknowledged: true }]);
    // The renewal lock's release too: a release lost in a failover would hold the session up for a lease.
    await waitFor(() => lockReleases(id).length === 1, 2_000, 'the lock release in MONITOR');
    expect(lockReleases(id)).toEqual([true]);
    expect(renewed.v2?.accessToken).toEqual(expect.any(String));
    expect(logs.linesAt('warn').join('\n')).not.toMatch(/not acknowledged/);
  });

  it('a replica that does not answer delays a renewal by a bounded time; the rotation is stored and logged', async () => {
    const clock = new FakeClock();
    const logs = new LogCapture();
    const sessions = await instance(clock, logs);
    const login = await sessions.login({ username: bob.username, password: bob.password });
    const id = hashHandle(login.sessionToken);
    clock.advance(1_750_000);
    replica.pause();
    let renewed;
    const startedAt = Date.now();
    try {
      renewed = await sessions.renew(id);
    } finally {
      replica.resume();
    }
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect((await sessions.authenticate(login.sessionToken)).session.tokens.v2?.refreshToken).toBe(
      renewed.v2?.refreshToken,
    );
    expect(logs.linesAt('warn').join('\n')).toMatch(/not acknowledged by any Redis replica within 500 ms/);
  });

  it('writes made at the same time share one WAIT: a replica that does not answer costs them one timeout, not one each', async () => {
    // Ack timeout 1 s (half the command timeout). One WAIT per write would keep the last of ten waiting about 10 s.
    const store = new RedisStore({ url: master.url, encryptionKey, commandTimeoutMs: 2_000 });
    opened.push(() => store.close());
    await store.set('warm-up', 'x', 60_000);
    replica.pause();
    const startedAt = Date.now();
    try {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          acknowledgedByReplica(() => store.set(`concurrent-${i}`, `value-${i}`, 60_000)),
        ),
      );
    } finally {
      replica.resume();
    }
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    const stored = await store.getMany(Array.from({ length: 10 }, (_, i) => `concurrent-${i}`));
    expect(stored).toEqual(Array.from({ length: 10 }, (_, i) => `value-${i}`));
  });
});
