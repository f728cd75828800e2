import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { CandescentHttpService, CandescentInstitutions, CandescentSessionService } from '@candescent/auth';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { DEMO_INSTITUTIONS, SECOND_FI_DEMO_CUSTOMERS } from '@candescent/sandbox';
import { BankingModule, type MyAccounts } from './../src/banking.module';

// One module serving two FIs behind one gateway (README "Several institutions"), from the packed
// tarballs: alice banks at both, with the same password and different data, so only the data
// shows which FI a login or a call reached.
describe('one module, two institutions, on the sandbox (e2e)', () => {
  const sandbox = new CandescentSandbox({ institutions: [...DEMO_INSTITUTIONS] });
  const aliceNorth = DEMO_CUSTOMERS.find((customer) => customer.username === 'alice')!;
  const aliceSouth = SECOND_FI_DEMO_CUSTOMERS.find((customer) => customer.username === 'alice')!;
  const accountIds = (accounts: ReadonlyArray<{ id: string }>) => accounts.map((account) => account.id);
  let moduleFixture: TestingModule;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const baseUrl = await sandbox.start();
    const institution = (id: string, fiId: string) => {
      const { consumerKey, consumerSecret } = sandbox.credentialsFor(fiId);
      return { id, baseUrl, consumerKey, consumerSecret, fiId };
    };
    moduleFixture = await Test.createTestingModule({
      imports: [BankingModule.forInstitutions([institution('cu-north', '00042'), institution('cu-south', '00043')])],
    }).compile();
    app = moduleFixture.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await sandbox.stop();
  });

  async function myAccounts(sessionToken: string): Promise<MyAccounts> {
    const response = await fetch(`${url}/me/accounts`, { headers: { authorization: `Bearer ${sessionToken}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as MyAccounts;
  }

  it('serves both institutions, the first being the default', () => {
    const institutions = moduleFixture.get(CandescentInstitutions);
    expect(institutions.ids()).toEqual(['cu-north', 'cu-south']);
    expect(institutions.defaultId).toBe('cu-north');
    expect(institutions.describe('cu-south')).toMatchObject({ id: 'cu-south', fiId: '00043' });
  });

  it('logs alice in at each institution, and each session sees her own data there', async () => {
    const sessions = moduleFixture.get(CandescentSessionService);
    const credentials = { username: 'alice', password: aliceNorth.password };
    const north = await sessions.login(credentials, { institution: 'cu-north' });
    const south = await sessions.login(credentials, { institution: 'cu-south' });
    expect(north.customer).toMatchObject({ loginId: 'alice', fiId: '00042' });
    expect(south.customer).toMatchObject({ loginId: 'alice', fiId: '00043' });

    // Same login id and password at both: her accounts show which FI each session reached.
    const northView = await myAccounts(north.sessionToken);
    expect(northView).toMatchObject({ institution: 'cu-north', fiId: '00042' });
    expect(accountIds(northView.accounts)).toEqual(accountIds(aliceNorth.accounts));
    const southView = await myAccounts(south.sessionToken);
    expect(southView).toMatchObject({ institution: 'cu-south', fiId: '00043' });
    expect(accountIds(southView.accounts)).toEqual(accountIds(aliceSouth.accounts));
  });

  it('makes an institution call for the second FI through forInstitution', async () => {
    const http = moduleFixture.get(CandescentHttpService);
    const { data } = await firstValueFrom(
      http
        .forInstitution('cu-south')
        .get<{ accounts: { id: string }[] }>('/db-accounts/v1/accounts', { params: { loginId: 'alice' } }),
    );
    expect(accountIds(data.accounts)).toEqual(accountIds(aliceSouth.accounts));
    const south = sandbox.requests().filter((request) => request.institutions.tokenFiId === '00043');
    expect(south.some((request) => request.route === 'v2-accounts' && request.query.loginId === 'alice')).toBe(true);
  });

  it('sent nothing of one institution to the other', () => {
    // Not vacuous: both FIs were called, with tokens of their own.
    const fiIds = new Set(sandbox.requests().map((request) => request.institutions.tokenFiId));
    expect([...fiIds].filter(Boolean).sort()).toEqual(['00042', '00043']);
    expect(sandbox.isolationViolations()).toEqual([]);
  });
});
