import { handleV1Accounts, handleV2Accounts, V1_ACCOUNTS_PATH } from './accounts.routes';
import type { RouteHandler } from './sandbox-context';
import type { SandboxRoute } from './sandbox-records.interface';
import { handleV1Token } from './v1-token.route';
import { handleV2Revoke } from './v2-revoke.route';
import { handleV2Token } from './v2-token.route';

/** One emulated endpoint. */
export interface RouteDefinition {
  name: SandboxRoute;
  method: string;
  handler: RouteHandler;
  matches(path: string): boolean;
}

const ROUTES: readonly RouteDefinition[] = [
  { name: 'v1-token', method: 'POST', handler: handleV1Token, matches: (p) => p === '/v1/oauth/token' },
  { name: 'v2-token', method: 'POST', handler: handleV2Token, matches: (p) => p === '/oauth2/v1/token' },
  { name: 'v2-revoke', method: 'DELETE', handler: handleV2Revoke, matches: (p) => p === '/oauth2/v1/revoke' },
  { name: 'v2-accounts', method: 'GET', handler: handleV2Accounts, matches: (p) => p === '/db-accounts/v1/accounts' },
  { name: 'v1-accounts', method: 'GET', handler: handleV1Accounts, matches: (p) => V1_ACCOUNTS_PATH.test(p) },
];

/** The endpoint a path belongs to, whatever the method. */
export function findRoute(path: string): RouteDefinition | undefined {
  return ROUTES.find((route) => route.matches(path));
}

/** V1 routes answer in XML unless JSON is asked for; the rest speak JSON. */
export function isV1Route(route: SandboxRoute): boolean {
  return route === 'v1-token' || route === 'v1-accounts';
}
