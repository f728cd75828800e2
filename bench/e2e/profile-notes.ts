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
shares, not the request rates). Shares are of the app process's busy CPU time; **self** is time
in the frame itself, **total** includes what it calls.

- **Outgoing GET (memory store).** Before: the module's request interceptor took 5.4 % in total,
  2.2 % of it in \`requestDestination\`, that is axios's \`getUri\`, which merges the whole config
  with the instance defaults on every call (\`mergeConfig\` 3.2 % self, the floor 1.5 %: axios
  merges once per request anyway). After: \`getUri\`'s answer is kept per exact base URL, URL and
  \`allowAbsoluteUrls\` when no query parameters are involved (anything else still asks axios):
  \`requestDestination\` 0.2 %, \`mergeConfig\` 1.0 % self, the interceptor 4.1 % in total, of which
  the replay snapshot 0.9 % and the token lookup 0.7 %. What is left of the gap to the
  hand-written interceptor is work it does not do: the request context (async_hooks frames 1.7 %
  self, see the unrelated route), five Candescent headers instead of one, a transaction id per
  call and the module's request timeout. Frames every contender pays lead all profiles: socket
  writes (about 25 %), garbage collection (about 9 %), and the \`CanceledError\` \`@nestjs/axios\`
  builds when it unsubscribes from a finished request (2.1 %).
- **Guarded route, memory store.** Before: the guard took 14.8 % in total; \`authenticate\` 8.2 %
  (four store reads, four promises, and \`JSON.parse\` of the session on every request:
  \`SessionRecords.read\` 6.1 %), the handle's SHA-256 3.0 %, the trace id 2.4 %. After: one
  \`getMany\` for the four records, and the parsed session reused while the stored string is
  unchanged: the guard 8.3 % in total, \`authenticate\` 4.7 %. The SHA-256 of the handle, the
  \`@SkipCandescentAuth()\` lookup and the trace id remain; the hand-written guard does the hash and
  a \`Map\` lookup only.
- **Guarded route, Redis store.** Before: ioredis wrote each of the four GETs to the socket on its
  own (\`writeUtf8String\` 15.9 % self; \`RedisStore.get\` 24.2 % in total). After: one \`MGET\`
  (12.8 %; \`getMany\` 18.6 % in total). A Redis request still pays a round trip (a write and a
  read system call) and an AES-GCM decryption of each record it reads (about 4 %), which the
  memory store does not; every request must ask Redis, or a logout on another instance would not
  take effect on the next request.
- **Unrelated route.** The module's middleware opens the request context with
  \`AsyncLocalStorage.run\` and one small object; the trace id, client IP and session are computed
  only when asked. The profile shows the middleware at 3.6 % in total (that includes the route it
  calls) and async_hooks frames at 2.3 % self: on Node 20, once any context is open,
  \`AsyncLocalStorage\` runs a promise hook for every promise of the process. That is the price of a
  context the outgoing interceptor can find from any route; it is small, but not zero, and this
  run's spread over the rounds is wider than the 3 % the target allows.
- **Heap per session.** The revision record is no longer written at login (a missing one reads as
  revision 0): 1,454 B before, 1,279 B after, over 5,000 logins in the heap process (the \`Map\`
  reference: 888 B at that count). Estimated, what remains above the reference: the store entry's
  object and expiry time (about 40 B), the account list of the per-account cap (about 60 B a
  session in this scenario's 20 accounts of some 500 sessions) and the \`rev\` and \`account\` fields
  of the stored value (about 65 B).`;
