/**
 * What CPU profiles showed about the missed targets, printed under the targets table. Profiles
 * are not taken by the bench run itself (a profiler slows the app it measures); these come from
 * `npm run bench:profile` on the code this report was made with, and are kept here by hand.
 * Rerun the profiles and update this text whenever the request path changes.
 */
export const PROFILE_NOTES = `### Where the time goes (CPU profiles)

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
