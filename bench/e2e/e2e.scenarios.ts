import type { LoadContender } from './interleaved';
import type { StampedeContender } from './stampede';

/** An interleaved end-to-end scenario: contenders compared with a reference in the same rounds. */
export interface InterleavedScenario {
  readonly id: string;
  readonly title: string;
  /** What one request does, for the report. */
  readonly description: string;
  /** The contender every ratio divides by. */
  readonly reference: string;
  readonly contenders: readonly LoadContender[];
}

export const OURS_MEMORY = 'this module (memory)';
export const OURS_REDIS = 'this module (Redis)';
export const FLOOR = 'static header (floor)';
export const GUARDED_MEMORY = 'guarded (memory)';
export const GUARDED_REDIS = 'guarded (Redis)';
export const UNRELATED_SESSIONS = 'with the module, sessions in use';

export const OUTGOING_GET: InterleavedScenario = {
  id: 'outgoing-get',
  title: 'Outgoing GET with a cached token',
  description:
    '`GET /outgoing` in a Nest (Express) app calls the upstream `GET /bench/data` through axios with a bearer token and a fresh `transactionId` (Candescent wants one on every call; the upstream answers 400 without it) and returns its body.',
  reference: FLOOR,
  contenders: [
    { name: FLOOR, app: 'static-header', path: '/outgoing' },
    { name: OURS_MEMORY, app: 'ours-memory', path: '/outgoing' },
    { name: OURS_REDIS, app: 'ours-redis', path: '/outgoing' },
    { name: 'hand-written interceptor', app: 'hand-interceptor', path: '/outgoing' },
    { name: '@badgateway/oauth2-client', app: 'badgateway', path: '/outgoing' },
    { name: 'axios-auth-refresh', app: 'axios-auth-refresh', path: '/outgoing' },
  ],
};

export const UNRELATED_ROUTE: InterleavedScenario = {
  id: 'unrelated-route',
  title: 'A route that never calls Candescent',
  description:
    '`GET /unrelated` returns a constant, in the same app with and without `CandescentAuthModule.forRoot()` imported, and in an app with the module where one request context has been opened before (as the first request with a session handle opens one).',
  reference: 'without the module',
  contenders: [
    { name: 'without the module', app: 'plain', path: '/unrelated' },
    { name: 'with the module', app: 'plain-with-module', path: '/unrelated' },
    { name: UNRELATED_SESSIONS, app: 'plain-with-sessions', path: '/unrelated' },
  ],
};

export const GUARDED_ROUTE: InterleavedScenario = {
  id: 'guarded-route',
  title: 'Guarded route vs the same route open',
  description:
    "The same constant answer at `/open` and behind a guard; the app logged in once before the window and every request sends that session handle as bearer, the open route's included, so the guard is the only difference (a logged-in client sends its handle to every route, and the module opens the request context for each such request, open or guarded). `open, no handle sent` shows what the header and that context cost. The guard that admits all returns `true` and nothing else: what Nest's guard call costs by itself, under any guard's own work.",
  reference: 'open (memory)',
  contenders: [
    { name: 'open (memory)', app: 'session-memory', path: '/open', withSession: true },
    { name: 'open, no handle sent', app: 'session-memory', path: '/open' },
    { name: GUARDED_MEMORY, app: 'session-memory', path: '/guarded', withSession: true },
    { name: GUARDED_REDIS, app: 'session-redis', path: '/guarded', withSession: true },
    { name: 'hand-written sha256+Map guard', app: 'session-memory', path: '/guarded-hand', withSession: true },
    { name: 'Nest guard that admits all', app: 'session-memory', path: '/guarded-nest', withSession: true },
  ],
};

export const INTERLEAVED_SCENARIOS: readonly InterleavedScenario[] = [OUTGOING_GET, UNRELATED_ROUTE, GUARDED_ROUTE];

export const STAMPEDE_CONTENDERS: readonly StampedeContender[] = [
  { name: OURS_REDIS, app: 'ours-redis' },
  { name: OURS_MEMORY, app: 'ours-memory' },
  { name: 'hand-written interceptor', app: 'hand-interceptor' },
  { name: '@badgateway/oauth2-client', app: 'badgateway' },
  { name: 'axios-auth-refresh', app: 'axios-auth-refresh' },
];
