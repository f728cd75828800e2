import type { SoakCustomer } from './soak-messages';

/** What the clients saw, from the outside. */
export interface LoadTally {
  calls: number;
  ok: number;
  /** Answers by `status errorCode` (`200`, `503 CIRCUIT_OPEN`, `network error`, ...). */
  byStatus: Record<string, number>;
  /** The answers other than 200 to institution-token calls, by the same keys (the rest were customers' calls). */
  institutionFailures: Record<string, number>;
  /** 200 answers whose accounts were not the caller's (or not the named customer's). */
  wrongCustomer: number;
  logins: number;
  /** Sessions the app ended (a 401 to a customer's call with a handle that had worked). */
  sessionsEnded: number;
  /** The longest a single call waited for its answer (ms), and what that answer was. */
  longestCallMs: number;
  longestCallStatus: string;
}

/** One time slice of a run, for the outage timeline. */
export interface LoadSlice {
  atMs: number;
  calls: number;
  ok: number;
  circuitOpen: number;
}

interface Session {
  customer: SoakCustomer;
  handle?: string;
  loggingIn?: Promise<void>;
}

/**
 * Concurrent clients calling the sample app until stopped: each call is, at random, a customer's
 * `GET /accounts` with their session or a back-office `GET /institution/accounts?loginId=`. Every
 * 200 is checked to hold the right customer's accounts. A session the app ended is logged in
 * again (the refused call counts as failed).
 */
export class SoakLoad {
  readonly tally: LoadTally = {
    calls: 0,
    ok: 0,
    byStatus: {},
    institutionFailures: {},
    wrongCustomer: 0,
    logins: 0,
    sessionsEnded: 0,
    longestCallMs: 0,
    longestCallStatus: '',
  };
  /** Handles the app refused, counted once each however many loops heard it. */
  private readonly ended = new Set<string>();
  readonly slices: LoadSlice[] = [];
  private readonly sessions: Session[];
  private running = false;
  private loops: Array<Promise<void>> = [];
  private slice: LoadSlice = { atMs: 0, calls: 0, ok: 0, circuitOpen: 0 };
  private sliceTimer?: NodeJS.Timeout;
  private startedAt = 0;

  constructor(
    private readonly url: string,
    customers: readonly SoakCustomer[],
    private readonly institutionShare: number,
  ) {
    this.sessions = customers.map((customer) => ({ customer }));
  }

  /** Logs every customer in (before measuring). */
  async logInAll(): Promise<void> {
    await Promise.all(this.sessions.map((s) => this.logIn(s)));
  }

  start(clients: number): void {
    this.running = true;
    this.startedAt = Date.now();
    this.sliceTimer = setInterval(() => {
      this.slices.push(this.slice);
      this.slice = { atMs: Date.now() - this.startedAt, calls: 0, ok: 0, circuitOpen: 0 };
    }, 1_000);
    this.loops = Array.from({ length: clients }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    clearInterval(this.sliceTimer);
    this.slices.push(this.slice);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const session = this.sessions[Math.floor(Math.random() * this.sessions.length)];
      if (Math.random() < this.institutionShare) await this.institutionCall(session.customer);
      else await this.customerCall(session);
    }
  }

  private async customerCall(session: Session): Promise<void> {
    if (session.loggingIn) await session.loggingIn;
    const handle = session.handle;
    const reply = await this.fetchJson('/accounts', handle === undefined ? {} : { authorization: `Bearer ${handle}` });
    this.count(reply, session.customer, 'customer');
    if (reply.status === 401 && handle !== undefined && !this.ended.has(handle)) {
      this.ended.add(handle);
      this.tally.sessionsEnded += 1;
    }
    // The app ended the session (its refresh token was refused): log in again, once for all loops.
    if (reply.status === 401 && session.handle === handle) await this.logIn(session);
  }

  private async institutionCall(customer: SoakCustomer): Promise<void> {
    const reply = await this.fetchJson(`/institution/accounts?loginId=${encodeURIComponent(customer.username)}`, {});
    this.count(reply, customer, 'institution');
  }

  private count(
    reply: { status: number; body: unknown; ms: number },
    owner: SoakCustomer,
    kind: 'customer' | 'institution',
  ): void {
    const code = errorCodeOf(reply.body);
    const key = reply.status === 0 ? 'network error' : code ? `${reply.status} ${code}` : String(reply.status);
    if (reply.ms > this.tally.longestCallMs) {
      this.tally.longestCallMs = reply.ms;
      this.tally.longestCallStatus = key;
    }
    this.tally.calls += 1;
    this.slice.calls += 1;
    this.tally.byStatus[key] = (this.tally.byStatus[key] ?? 0) + 1;
    if (code === 'CIRCUIT_OPEN') this.slice.circuitOpen += 1;
    if (reply.status !== 200) {
      if (kind === 'institution') this.tally.institutionFailures[key] = (this.tally.institutionFailures[key] ?? 0) + 1;
      return;
    }
    const whose = whoseAccounts(reply.body, owner);
    if (whose === 'own') {
      this.tally.ok += 1;
      this.slice.ok += 1;
    } else if (whose === 'other') this.tally.wrongCustomer += 1;
    else this.tally.byStatus['200 unreadable'] = (this.tally.byStatus['200 unreadable'] ?? 0) + 1;
  }

  private logIn(session: Session): Promise<void> {
    session.loggingIn ??= (async () => {
      for (let attempt = 0; this.running || session.handle === undefined; attempt++) {
        const reply = await this.fetchJson(
          '/auth/login',
          { 'content-type': 'application/json' },
          {
            username: session.customer.username,
            password: session.customer.password,
          },
        );
        this.tally.logins += 1;
        const token = (reply.body as { sessionToken?: unknown } | undefined)?.sessionToken;
        if (reply.status === 200 && typeof token === 'string') {
          session.handle = token;
          return;
        }
        if (attempt >= 50) throw new Error(`log-in of ${session.customer.username} kept failing (${reply.status})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })().finally(() => {
      session.loggingIn = undefined;
    });
    return session.loggingIn;
  }

  private async fetchJson(
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; ms: number }> {
    const startedAt = performance.now();
    try {
      const response = await fetch(this.url + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, ms: performance.now() - startedAt };
    } catch {
      return { status: 0, body: undefined, ms: performance.now() - startedAt };
    }
  }
}

function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { errorCode?: unknown } | undefined)?.errorCode;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a 200 from either route carries exactly this customer's accounts, someone else's, or nothing readable. */
function whoseAccounts(body: unknown, owner: SoakCustomer): 'own' | 'other' | 'unreadable' {
  const accounts = (body as { accounts?: { accounts?: unknown } } | undefined)?.accounts?.accounts;
  if (!Array.isArray(accounts)) return 'unreadable';
  const ids = accounts.map((a) => (a as { id?: unknown }).id);
  const own =
    ids.length === owner.accountIds.length &&
    ids.every((id) => typeof id === 'string' && owner.accountIds.includes(id));
  return own ? 'own' : 'other';
}
