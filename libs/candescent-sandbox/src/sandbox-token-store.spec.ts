import { SandboxTokenStore, type IssueRequest } from './sandbox-token-store';

describe('SandboxTokenStore', () => {
  let clock = 0;
  const store = (): SandboxTokenStore => new SandboxTokenStore(() => clock);
  const customer: IssueRequest = {
    service: 'v2',
    grant: 'password',
    fiId: '00042',
    fiCustomerId: 'c1',
    scopes: ['accounts:read'],
    accessTtlSeconds: 10,
    refreshTtlSeconds: 100,
  };

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('keeps live tokens valid when it prunes expired ones', () => {
    const tokens = store();
    const early = tokens.issue(customer);
    clock += 20_000;
    let latest = tokens.issue(customer);
    for (let i = 0; i < 1000; i++) latest = tokens.issue({ ...customer, refreshTtlSeconds: undefined });
    expect(tokens.describeAccess(early.accessToken)).toBeUndefined();
    expect(tokens.isAccessTokenValid(latest.accessToken)).toBe(true);
    expect(tokens.consumeRefresh(early.refreshToken ?? '', 'v2')).toBeDefined();
  });

  it("reuses a customer's previous access token across password and refresh grants only when asked", () => {
    const tokens = store();
    const first = tokens.issue(customer);
    const fresh = tokens.issue({ ...customer, grant: 'refresh_token' });
    expect(fresh.accessToken).not.toBe(first.accessToken);
    const reused = tokens.issue({ ...customer, grant: 'refresh_token', reusePrevious: true });
    expect(reused.accessToken).toBe(fresh.accessToken);
    expect(tokens.issue({ ...customer, fiCustomerId: 'c2', reusePrevious: true }).accessToken).not.toBe(
      fresh.accessToken,
    );
  });

  it('does not hand a refresh token to the other service', () => {
    const tokens = store();
    const issued = tokens.issue({ ...customer, service: 'v1' });
    expect(tokens.consumeRefresh(issued.refreshToken ?? '', 'v2')).toBeUndefined();
    expect(tokens.consumeRefresh(issued.refreshToken ?? '', 'v1')).toMatchObject({ fiCustomerId: 'c1' });
    expect(tokens.consumeRefresh(issued.refreshToken ?? '', 'v1')).toBeUndefined();
  });
});
