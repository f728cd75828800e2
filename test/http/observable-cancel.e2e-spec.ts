import { Test, type TestingModule } from '@nestjs/testing';
import axios, { type CancelTokenSource } from 'axios';
import { firstValueFrom } from 'rxjs';
import { CandescentAuthModule, CandescentHttpService } from '@candescent/auth';
import { CandescentTesting } from '@candescent/auth/testing';
import { waitFor } from '../support/wait';

const ACCOUNTS = '/db-accounts/v1/accounts';

/**
 * The module's HttpService cancels a call whose subscriber goes away while it is in flight, as
 * `HttpService` does, but not one that has already settled: cancelling builds axios's
 * `CanceledError` (a stack trace) on every finished call for nothing.
 */
describe('CandescentHttpService: cancelling on unsubscribe', () => {
  let candescent: CandescentTesting;
  let moduleRef: TestingModule;
  let http: CandescentHttpService;
  let cancels: jest.Mock[];

  beforeAll(async () => {
    candescent = await CandescentTesting.start();
    moduleRef = await Test.createTestingModule({
      imports: [CandescentAuthModule.forRoot(candescent.options)],
    }).compile();
    await moduleRef.init();
    http = moduleRef.get(CandescentHttpService);
  });

  beforeEach(() => {
    cancels = [];
    const source = axios.CancelToken.source.bind(axios.CancelToken);
    jest.spyOn(axios.CancelToken, 'source').mockImplementation((): CancelTokenSource => {
      const made = source();
      const cancel = jest.fn(made.cancel);
      cancels.push(cancel);
      return { token: made.token, cancel };
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    candescent.clearFaults();
  });

  afterAll(async () => {
    await moduleRef.close();
    await candescent.stop();
  });

  const accounts = () => http.get(ACCOUNTS, { params: { loginId: 'alice' }, candescentAuth: 'institution' });

  it('does not cancel a call that answered, nor one that failed', async () => {
    expect((await firstValueFrom(accounts())).status).toBe(200);
    candescent.injectFault({ route: 'v2-accounts', kind: 'server-error' });
    await expect(firstValueFrom(accounts())).rejects.toBeInstanceOf(Error);

    expect(cancels).toHaveLength(2);
    for (const cancel of cancels) expect(cancel).not.toHaveBeenCalled();
  });

  it('cancels a call still in flight when its subscriber goes, and emits nothing', async () => {
    candescent.injectFault({ route: 'v2-accounts', kind: 'latency', ms: 3_000 });
    const before = candescent.sandbox.requests().length;
    const seen: string[] = [];
    const subscription = accounts().subscribe({
      next: () => seen.push('next'),
      error: () => seen.push('error'),
      complete: () => seen.push('complete'),
    });
    await waitFor(() => candescent.sandbox.requests().length > before || cancels.length > 0, 5_000, 'the call');
    subscription.unsubscribe();

    expect(cancels).toHaveLength(1);
    expect(cancels[0]).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([]);
  });

  it('uses a cancel token the caller passed, and makes none of its own', async () => {
    const own = axios.CancelToken.source();
    const response = await firstValueFrom(
      http.get(ACCOUNTS, { params: { loginId: 'alice' }, cancelToken: own.token, candescentAuth: 'institution' }),
    );
    expect(response.status).toBe(200);
    // The one source made is the caller's, left for the caller to cancel.
    expect(cancels).toHaveLength(1);
    expect(cancels[0]).not.toHaveBeenCalled();
  });
});
