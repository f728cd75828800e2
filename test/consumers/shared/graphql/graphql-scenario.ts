import { strict as assert } from 'node:assert';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { logIn } from '../scenario.js';

/** One GraphQL answer, as a client sees it. */
export interface GraphqlReply {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** POSTs a query to the app's /graphql, with the session token when given. */
export async function graphql(appUrl: string, query: string, sessionToken?: string): Promise<GraphqlReply> {
  const response = await fetch(`${appUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(sessionToken ? { authorization: `Bearer ${sessionToken}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  assert.ok(response.headers.get('content-type')?.includes('json'), `/graphql answered ${response.status}: ${text}`);
  return JSON.parse(text) as GraphqlReply;
}

/**
 * The flow every GraphQL consumer app must pass against the sandbox, over real HTTP: log in on
 * the REST route, run a guarded query that reads @CandescentCustomer() and calls Candescent as
 * the customer, run a @SkipCandescentAuth() query without a session, and get the module's error
 * codes (and a Candescent 429's retry delay) in `extensions`.
 */
export async function runGraphqlScenario(
  appUrl: string,
  sandbox: CandescentSandbox,
  customer: { username: string; password: string; fiCustomerId: string },
): Promise<string[]> {
  const steps: string[] = [];
  const sessionToken = await logIn(appUrl, customer);
  steps.push('login');

  const before = sandbox.accountsCalls().length;
  const me = await graphql(appUrl, '{ me { loginId accounts { id name } } }', sessionToken);
  assert.equal(me.errors, undefined, `the guarded query failed: ${JSON.stringify(me.errors)}`);
  const { loginId, accounts } = me.data?.me as { loginId: string; accounts: unknown[] };
  assert.equal(loginId, customer.username);
  assert.ok(accounts.length > 0, 'the upstream accounts list is empty');
  const calls = sandbox.accountsCalls().slice(before);
  assert.equal(calls.length, 1, `expected one accounts call upstream, saw ${calls.length}`);
  const [call] = calls;
  assert.equal(call.tokenGrant, 'password', 'the accounts call did not carry a customer token');
  assert.equal(call.tokenFiCustomerId, customer.fiCustomerId, 'the accounts call went out as another customer');
  steps.push('guarded query (customer token)');

  const ping = await graphql(appUrl, '{ ping }');
  assert.deepEqual(ping, { data: { ping: 'pong' } });
  steps.push('@SkipCandescentAuth() query without a session');

  const refused = await graphql(appUrl, '{ me { loginId } }');
  assert.deepEqual(refused.data ?? null, null, `a query without a session got data: ${JSON.stringify(refused.data)}`);
  assert.equal(refused.errors?.at(0)?.extensions?.code, 'SESSION_MISSING', JSON.stringify(refused.errors));
  assert.equal(refused.errors.at(0)?.extensions?.status, 401);
  steps.push('no session (SESSION_MISSING)');

  sandbox.injectFault({ route: 'v2-accounts', kind: 'too-many-requests', retryAfterSeconds: 7 });
  try {
    const limited = await graphql(appUrl, '{ me { loginId accounts { id } } }', sessionToken);
    const error = limited.errors?.at(0);
    assert.ok(error?.extensions, `expected an error with extensions, got ${JSON.stringify(limited)}`);
    assert.deepEqual(error.path, ['me', 'accounts'], JSON.stringify(error));
    assert.equal(error.extensions.code, 'UPSTREAM_429', JSON.stringify(error));
    assert.equal(error.extensions.status, 429);
    assert.equal(error.extensions.retryAfterSeconds, 7);
  } finally {
    sandbox.clearFaults();
  }
  steps.push('Candescent 429 (UPSTREAM_429, retryAfterSeconds)');
  return steps;
}
