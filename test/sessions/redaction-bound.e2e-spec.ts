import { CandescentSessionService } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { registeredSecretCount } from '../../libs/candescent-auth/src/logging/redact';
import { createTokenModule, type OpenedModule } from '../support/module';
import { startSandbox } from '../support/sandbox';

/**
 * The redaction registry must not grow with sessions: customer handles and tokens are kept out
 * of text by construction, not by registering each one (which cost about 1.5 KB per session
 * and a longer scan of every log line).
 */
describe('redaction registry under many sessions', () => {
  const alice = DEMO_CUSTOMERS[0];
  let sandbox: CandescentSandbox;
  let module: OpenedModule;

  beforeAll(async () => {
    sandbox = await startSandbox();
    module = await createTokenModule(sandbox, {
      tokenServices: ['v1', 'v2'],
      session: { maxSessionsPerAccount: 1_000 },
    });
  });

  afterAll(async () => {
    await module.close();
    await sandbox.stop();
  });

  it('holds no more values after 100 logins, renewals and logouts than before them', async () => {
    const sessions = module.moduleRef.get(CandescentSessionService);
    await module.tokens.getInstitutionToken();
    const before = registeredSecretCount();
    for (let i = 0; i < 100; i++) {
      const login = await sessions.login({ username: alice.username, password: alice.password });
      const { id } = await sessions.authenticate(login.sessionToken);
      await sessions.renew(id, (await sessions.authenticate(login.sessionToken)).session.tokens.v2?.accessToken);
      if (i % 2 === 0) await sessions.logout(id);
    }
    expect(sandbox.counters().byGrant.password).toBeGreaterThanOrEqual(200);
    expect(sandbox.counters().byGrant.refresh_token).toBeGreaterThanOrEqual(100);
    expect(registeredSecretCount()).toBe(before);
  });
});
