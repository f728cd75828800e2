/**
 * What CPU profiles showed about the missed targets, printed under the targets table. Profiles
 * are not taken by the bench run itself (a profiler slows the app it measures); these come from
 * `npm run bench:profile` on the code this report was made with, and are kept here by hand.
 * Rerun the profiles and update this text whenever the request path changes.
 */
export const PROFILE_NOTES = `### Where the time goes on Node 24 (issue 21)

CPU profiles of the app process on Node 24.21 (\`npm run bench:profile -- session-memory /guarded 8 --session\`,
and the login process under \`--cpu-prof\`), before and after the changes, on a machine shared with
other work (load average 6 to 15 on 2 cores): the shares and the app CPU per request are what to
read, not the rates. On Node 24 \`AsyncLocalStorage\` no longer runs a promise hook (its frames
are 0.5 to 0.8 % self with or without the guard), so what the guard costs is its own work and
the promises it makes.

- **Guarded route (memory store).** Before: \`canActivate\` was an async function awaiting
  \`authenticate\`, itself awaiting the store's \`getMany\`: three promises and their microtask
  turns per request, then Nest's \`pickResult\` awaiting the guard's promise again
  (\`tryActivate\` 1.2 µs self per request against 0.3 for the hand-written guard, which returns a
  boolean). Four reflect-metadata lookups per request (\`@SkipCandescentAuth()\` and
  \`@RequireInstitution()\` on handler and class, about 1.9 µs), a \`WeakMap\` lookup for the
  instance's owner mark. In total the guard took 7.2 % of the busy time, the hand-written guard 5.1 %;
  the app CPU per request was 1.34× the open route's, the hand-written guard's 1.25×. After: the
  memory store registers a synchronous read (internal, not part of the store contract, and not
  used when an app's subclass replaces \`getMany\`), and a session with nothing to renew, record
  or end is admitted without a promise: \`canActivate\` returns \`true\` and Nest skips its
  awaits. Anything else (Redis, a renewal due, the once-a-minute activity write, a refusal) takes
  the asynchronous path as before; refusals still come as a rejected promise. The route metadata
  is read once per route. The guard now takes 6.3 % in total against 6.8 % for the hand-written
  guard in the same session, and the app CPU per request is level with it: 1.22×, 1.27× and 1.27×
  the open route's in three interleaved runs after the change, against 1.13×, 1.22× and 1.35× for
  the hand-written guard in the same runs. What is left is what both guards pay: Nest's guard
  call (\`tryActivate\`, an \`ExecutionContextHost\`), the request context the \`Authorization\` header
  opens, the handle's SHA-256 (2.3 µs), and four lru-cache reads of the session's records (1.4 µs).
  The rest of the gap to the open route in the tables is the kernel: \`writev\` of the response
  varies by 10 to 16 µs per request between runs of identical responses on this machine.
  Then short interleaved rounds (16 of 1.5 s, one app, the same session header) took the gap
  apart: the open route with the header (the request context it opens) cost 1.02× to 1.05× the
  open route's CPU per request, a guard that only returns \`true\` (Nest's guard call by itself:
  two async functions and an \`ExecutionContextHost\` per request) 1.05× to 1.08×, a guard that
  only hashes the header 1.12×, the module's guard and the hand-written one 1.18× to 1.20× each.
  In the rounds where the machine ran fast (open route 55 to 57 µs): Nest's guard call 3 µs, the
  hash-only guard 7 µs, each session guard 10 µs. A SHA-256 of the handle costs 0.25 µs in a tight
  loop and 1.3 µs with cold caches, which is what a request between others sees. Those rounds
  also showed why the reports of earlier runs disagreed: in one run the CPU time of identical
  requests went from 57 µs to 110 µs and back within seconds, so the bench now runs 14 rounds of
  2 s instead of 7 of 4 s, and a slow spell falls inside one round more often. After: the session
  service keeps the hashes of the last 1,000 handles its guard admitted (in process only; a handle
  is forgotten when it is refused, the store is read on every request as before), and the memory
  store tells a session's records from other keys by prefix instead of a regular expression. The
  guard's own work, measured in process (the context middleware and \`canActivate\` called
  directly, 12 interleaved rounds of 20,000 admissions): 3.64 µs per admission before, 2.86 µs
  after. The guard that admits all is now a contender of its own in the table below: its ratio is
  the most any guard can reach on this machine.
- **Guarded route: the reference and where the rest lies.** Until this report the open route
  was sent no session handle while every guarded contender sent one, so its ratio charged the
  guard with the header's bytes and the request context the module opens for any request that
  carries a handle, open or guarded. Every contender of the scenario is now sent the same request;
  \`open, no handle sent\` is a row of its own and shows that cost (1.02× to 1.06× the CPU per
  request in the runs below). Then the guard was taken apart with temporary routes in one app
  (interleaved, 10 to 12 rounds of 2 s, all sent the handle; CPU per request ÷ the open route):
  a guard that admits all 1.01× to 1.03×, one that only reads the request context 1.04×, one that
  only runs the bearer pattern 1.05×, one that only calls the session service's admission (store
  reads, decoded-session cache, expiry, renewal and activity checks) 1.17×, the module's guard
  1.20×, the hand-written guard 1.12× to 1.17×. So the store read and its checks are most of
  the guard's cost, some 5 µs of the 10 a request shows, against about 2 µs measured in a tight
  loop: a request between others finds its data out of the CPU caches. Two processes running the
  same build and route differed by up to 7 % in CPU per request, so a change smaller than that
  does not show in one run. Keeping the admitted session beside the request (a \`WeakMap\`)
  instead of as a property on it, which changes the request objects' shape, made no measurable
  difference (1.22× and 1.23× in one app, 10 rounds) and was not kept.
- **Logins (memory store).** Before, on one account logged in over and over (the issue's
  case) the module made 0.46× the hand-rolled path's logins per second at 1.9× its CPU, and 0.69×
  (1.6× CPU) over 20 accounts with hundreds of sessions each. Where it went: every lock release
  in the memory store deleted the only entry of an lru-cache sized for 50,000 locks, and lru-cache
  empties its whole index when its last entry goes (\`clear\` filling four arrays of 50,000 slots:
  4.2 % self, \`releaseLock\` 4.6 % in total); the account list checked each listed session with a
  store read of its own (one promise per listed session, under the account's lock); and logins of
  one account in the same process polled the store lock every 10 ms against each other. After:
  locks in a \`Map\` (same bound, the oldest lease dropped when full), the listed sessions checked
  with one \`getMany\`, and logins of one account in one process queued behind each other in
  process (the store lock still orders them with other instances): over 20 accounts 1.09× (CPU
  1.06×) in a run of 3,500 logins. A first full run showed the list's cost still growing with it
  (0.69×, CPU 1.81× at some 375 sessions per account): each login read every listed session.
  Below the cap no session can be displaced whichever listed ones are still open, so they are now
  read (and the ended ones dropped) only once the list is full: 0.95× (CPU 1.20×) in the same
  7 rounds of 1,000 logins. A login's time is now the password grant itself (the token
  client, its retries and response validation: 22 % in total, of which class-validator checking
  the token response 7.7 %), the account list under its lock (6.4 %), and tracing (\`inSpan\`
  under 1 % self). Nothing the records protect changed: the end record, the revision, the cap and
  the revocation of a displaced session's tokens are all still written, in the same order. On one
  account past its cap (\`BENCH_ONE_CUSTOMER=1\`) each login also ends the oldest session and revokes
  its tokens upstream, a second HTTP request the hand-rolled path never makes: 0.66× (CPU 1.5×).
- **Outgoing GET.** \`npm run bench:outgoing-ab\` calls each app's HttpService from one process,
  interleaved (8 to 12 rounds), and compares CPU per call. With \`--fake-adapter\` (nothing on
  the wire, so only the interceptors and axios remain) the hand-written interceptor cost 0.5 µs a
  call over the floor and this module about 24 µs. Where it went: the replay snapshot spread the
  dictionary-mode config axios hands to interceptors (2.4 µs; copied key by key now, 0.5 µs), both
  header copies went through \`new AxiosHeaders\` (normalising every name and value again), each
  Candescent header went through \`AxiosHeaders.set\` (a case-insensitive scan and two regex passes
  per value the module had already checked), the fetch-adapter check asked axios for the fetch
  adapter on every call, and the cached institution token went through two async functions. After:
  about 15 µs (1.43× to 1.47× the floor's 35 µs with the stand-in adapter). On the real gateway the
  module's call cost 1.26× to 1.29× the floor's CPU in four runs before the contenders' headers were
  made equal; the floor with the module's extra headers cost 1.04× alone, and the module with its
  interceptor cut down to a fixed token (the instance's timeout, redirect limit and response
  interceptor kept) 1.06× to 1.10×. What is left beyond that is the interceptor's own work
  (destination checks before and at send time, the replay snapshot and sent-bytes record, the
  redirect hook) and the garbage it makes; each is one of the protections of the last security
  round. Every contender now sends the \`transactionId\` Candescent wants on each call (the
  upstream answers 400 without it); before, the floor and the alternatives sent the bearer alone.
  With that floor (a synchronous interceptor adding the id), one run on the real gateway after
  all the changes: the module 1.29× the floor's CPU per call, the hand-written interceptor 1.12×,
  \`@badgateway/oauth2-client\` 1.02× (8 rounds of 3,000 calls; round ranges overlap widely).
  A profile of that call (the module's instance with its interceptor, against the same instance
  with a static one) then showed the largest single frame to be none of the module's:
  \`AxiosError\`, 20 to 27 µs self per call, for every contender. \`HttpService\` cancels each
  call when its subscriber goes, which \`firstValueFrom\` does after every answer, and
  cancelling builds axios's \`CanceledError\` with its stack trace, for a call with nothing left
  to cancel. \`CandescentHttpService\` now cancels only a call still in flight. In 12 interleaved
  rounds of 3,000 calls on the real gateway, the module's call then cost 1.06× the floor's CPU
  (before: 1.24× to 1.26× in three such runs), and the module's instance with the static
  interceptor 0.88×.
- **Guarded route, Redis store.** Each request's session read was a write of its own on the
  socket (\`writeUtf8String\` 25 % self in a profile of \`session-redis /guarded\`). The store's
  connections now use ioredis's auto-pipelining: the reads of the guards of one tick go out in one
  write. In an interleaved run of 6 rounds of 5 s (autocannon, 50 connections), Redis ÷ memory was
  0.89 with it and 0.78 without.
- **Cold stampede under overload.** With 6 CPU burners beside the bench, a Redis command's
  timer can fire long after its reply arrived. The store's timeout counts time the process could
  run (an earlier change), and a store that still fails sends each process to its own
  single-flight token request, so no call fails: see the overload row.

### Earlier profiles (Node 20, issue 10)

Taken with \`npm run bench:profile -- <app> <route> 6 [--session]\` (the app process under
\`--cpu-prof\`, 50 connections, 6 s after 2 s of warm-up), before and after the changes that
brought these numbers, on the same shared machine (load average 6 to 11 on 2 cores: read the
shares, not the request rates). Shares are of the app process's busy CPU time; **self** is time in
the frame itself, **total** includes what it calls.

- **Outgoing GET (memory store).** Before: the module's request interceptor took 5.4 % in total,
  2.2 % of it in \`requestDestination\`, that is axios's \`getUri\`, which merges the whole config
  with the instance defaults on every call (\`mergeConfig\` 3.2 % self, the floor 1.5 %: axios
  merges once per request anyway). After: \`getUri\`'s answer is kept per exact base URL, URL and
  \`allowAbsoluteUrls\` when no query parameters are involved (anything else still asks axios):
  \`requestDestination\` 0.2 %, \`mergeConfig\` 1.0 % self, the interceptor 4.1 % in total, of
  which the replay snapshot 0.9 % and the token lookup 0.7 %. A route without a session handle no
  longer runs in a request context (see the unrelated route), which took the async_hooks frames
  (1.7 % self) out of this profile: the app CPU per request of the module's outgoing GET went from
  1.20× the floor's to 1.07× to 1.12× in the two runs since, level with the hand-written
  interceptor in one of them and 35 µs above it in the other. What is left of the gap to the floor
  is work the floor does not do: five Candescent headers instead of one, a transaction id per
  call, the module's request timeout (a socket timer per call) and the replay snapshot. Frames
  every contender pays lead all profiles: socket writes (about 25 %), garbage collection (about 9
  %), and the \`CanceledError\` \`@nestjs/axios\` builds when it unsubscribes from a finished
  request (2.1 %).
- **Guarded route, memory store.** Before: the guard took 14.8 % in total; \`authenticate\` 8.2 %
  (four store reads, four promises, and \`JSON.parse\` of the session on every request:
  \`SessionRecords.read\` 6.1 %), the handle's SHA-256 3.0 %, the trace id 2.4 %. After: one
  \`getMany\` for the four records, and the parsed session reused while the stored string is
  unchanged: the guard 8.3 % in total, \`authenticate\` 4.7 %. The SHA-256 of the handle, the
  \`@SkipCandescentAuth()\` lookup and the trace id remained; the hand-written guard does the hash
  and a \`Map\` lookup only. Then the trace id (\`traceIdFrom\`, 3.5 % in total: three header
  lookups, a UUID and a property added to the request) became lazy, worked out only for a refusal
  or a log line: the guard 10.3 % in total, \`authenticate\` 7.8 %, of which the store's
  \`getMany\` 3.5 % and the handle's SHA-256 2.0 %. The guarded request also runs in the request
  context, as the hand-written guard's request does in this app (it sends the same bearer header),
  so what separates the two is the guard's own work: the session's expiry, renewal and activity
  checks, the skip lookup and the object handed to \`@CandescentCustomer()\` and outgoing calls.
  The hand-written guard itself stays under the 0.93 target in these runs (0.89×): on Node 20 a
  guarded request pays for Nest's guard call and the request context before any guard work.
- **Guarded route, Redis store.** Before: ioredis wrote each of the four GETs to the socket on its
  own (\`writeUtf8String\` 15.9 % self; \`RedisStore.get\` 24.2 % in total). After: one \`MGET\`
  (12.8 %; \`getMany\` 18.6 % in total). A Redis request still pays a round trip (a write and a
  read system call) and an AES-GCM decryption of each record it reads (about 4 %), which the
  memory store does not; every request must ask Redis, or a logout on another instance would not
  take effect on the next request.
- **Unrelated route.** Before: the module's middleware opened an \`AsyncLocalStorage\` context on
  every request: 3.6 % in total, and async_hooks frames 2.3 % self, because on Node 20, once any
  context is open, \`AsyncLocalStorage\` runs a promise hook for every promise of the process. In
  the bench run before the change, a route returning a constant cost 1.18× the app CPU per request
  with the module imported (190 µs against 155 µs). A Nest middleware mounted for every route
  (\`forRoutes('{*path}')\`) cost Express a pattern match and a rewrite of \`req.url\` per request
  on top. After: the context is opened only for requests that carry a session handle (the only
  ones the guard can admit), and on Express the middleware is one \`app.use\` without a path, so
  an app that never opens a session pays one header lookup per request. An app that has opened one
  context since it started (**with the module, sessions in use**) still pays Node 20's promise
  hook on every request of every route; that row shows it. Node 22 and later can run
  \`AsyncLocalStorage\` without promise hooks (the default from Node 24).
- **Heap per session.** Before: 1,126 B over 10,000 logins. Heap snapshots taken before and after
  the logins showed where the rest went, and each change was measured on its own:
  \`JSON.stringify\`'s output is kept by V8 as a tree of string pieces, about 190 B a session more
  than the text, so the memory store flattens each value it keeps (about 190 B saved); a new
  session's value no longer stores the account hash (derived at login) or revision 1 (a missing
  revision reads as 0; about 65 B); an account's session list holds ids alone, oldest first (about
  30 B); and each memory-store value is one string with its expiry in front, with no entry object
  and boxed number (about 45 B). The decoded-session cache is bounded at 1,000 sessions and this
  scenario never reads a session back, so it does not show here: after one guarded request per
  session it adds about 72 B a session at 10,000 sessions. The memory store also creates its maps
  (lru-cache allocates index arrays for their bound up front, about 2.4 MB for the default 100,000
  session records) at their first use, so an app that opens no session does not carry them.`;
