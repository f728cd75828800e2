import {
  CandescentInvalidCredentialsError,
  CandescentInvalidRequestError,
  CandescentProtocolError,
  CandescentRateLimitedError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import { validateOptions } from '../options/validate-options';
import { TokenRequestExecutor } from './token-request.executor';

describe('TokenRequestExecutor and its breaker', () => {
  const now = 0;
  const executorWith = (circuitBreaker: Record<string, number>, maxAttempts = 3) =>
    new TokenRequestExecutor(
      validateOptions({
        baseUrl: 'https://x.example',
        consumerKey: 'k',
        consumerSecret: 's',
        fiId: '1',
        retry: { maxAttempts, baseDelayMs: 0, maxDelayMs: 0 },
        circuitBreaker,
      }),
      { now: () => now, sleep: () => Promise.resolve(), random: () => 0 },
    );
  const failWith = (error: Error) => () => Promise.reject(error);

  it('an untyped error thrown inside a token request counts as a failure, never as a success', async () => {
    const executor = executorWith({ minimumCalls: 3, resetTimeoutMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      const thrown = await executor
        .execute('v2', 'client_credentials', failWith(new RangeError('Maximum call stack size exceeded')))
        .catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(RangeError);
    }
    expect(executor.breaker('v2').status).toBe('open');
    await expect(executor.execute('v2', 'client_credentials', () => Promise.resolve('token'))).rejects.toMatchObject({
      errorCode: 'CIRCUIT_OPEN',
      retryAfterSeconds: 10,
    });
  });

  it('counts operations, not attempts: failed attempts that a retry absorbs never open it', async () => {
    const executor = executorWith({ minimumCalls: 2 });
    for (let i = 0; i < 20; i++) {
      let attempts = 0;
      const result = await executor.execute('v2', 'client_credentials', () => {
        attempts += 1;
        return attempts < 3
          ? Promise.reject(new CandescentUnavailableError('reset', { errorCode: 'NETWORK_ERROR' }))
          : Promise.resolve('ok');
      });
      expect(result).toBe('ok');
    }
    expect(executor.breaker('v2').status).toBe('closed');
  });

  it('rate limiting that outlasts the retries does not open it; server errors do', async () => {
    const executor = executorWith({ minimumCalls: 3 });
    const limited = new CandescentRateLimitedError('spike', { errorCode: 'CMN_90002', upstreamStatus: 500 });
    for (let i = 0; i < 10; i++)
      await executor.execute('v2', 'client_credentials', failWith(limited)).catch(() => undefined);
    expect(executor.breaker('v2').status).toBe('closed');
    const down = new CandescentUnavailableError('down', { errorCode: 'CMN_90000', upstreamStatus: 500 });
    for (let i = 0; i < 3; i++)
      await executor.execute('v2', 'client_credentials', failWith(down)).catch(() => undefined);
    expect(executor.breaker('v2').status).toBe('open');
  });

  it('answers from a working service (wrong password) keep it closed', async () => {
    const executor = executorWith({ minimumCalls: 3 });
    const wrong = new CandescentInvalidCredentialsError('bad login', { errorCode: 'CMN_90015', upstreamStatus: 401 });
    for (let i = 0; i < 10; i++) await executor.execute('v2', 'password', failWith(wrong)).catch(() => undefined);
    expect(executor.breaker('v2').status).toBe('closed');
  });

  it('errors raised before anything was sent count neither way', async () => {
    const executor = executorWith({ minimumCalls: 3 });
    const down = new CandescentUnavailableError('down', { errorCode: 'CMN_90000' });
    const refusedInput = new CandescentInvalidRequestError('bad header value', { errorCode: 'INVALID_HEADER_VALUE' });
    for (let i = 0; i < 2; i++) await executor.execute('v2', 'password', failWith(down)).catch(() => undefined);
    for (let i = 0; i < 8; i++) await executor.execute('v2', 'password', failWith(refusedInput)).catch(() => undefined);
    expect(executor.breaker('v2').status).toBe('closed');
    await executor.execute('v2', 'password', failWith(down)).catch(() => undefined);
    expect(executor.breaker('v2').status).toBe('open');
  });

  it('stops retrying once other operations opened the circuit', async () => {
    const executor = executorWith({ minimumCalls: 2, resetTimeoutMs: 10_000 }, 5);
    const down = new CandescentUnavailableError('down', { errorCode: 'CMN_90000' });
    let attempts = 0;
    const slow = executor.execute('v2', 'client_credentials', async () => {
      attempts += 1;
      if (attempts === 1) {
        // While this one waits, two other operations fail for good.
        for (let i = 0; i < 2; i++)
          await executor.execute('v2', 'client_credentials', failWith(down)).catch(() => undefined);
      }
      throw down;
    });
    await expect(slow).rejects.toBe(down);
    expect(attempts).toBe(1);
  });

  it('a malformed 2xx is retried for every grant, a refresh grant included (its refresh token is sent again either way)', async () => {
    const executor = executorWith({});
    const malformed = new CandescentProtocolError('truncated', {
      errorCode: 'MALFORMED_BODY',
      upstreamStatus: 200,
      service: 'v2',
    });
    for (const grant of ['client_credentials', 'password', 'refresh_token']) {
      let attempts = 0;
      const token = await executor.execute('v2', grant, () => {
        attempts += 1;
        return attempts === 1 ? Promise.reject(malformed) : Promise.resolve('token');
      });
      expect([grant, token, attempts]).toEqual([grant, 'token', 2]);
    }

    let attempts = 0;
    const error = await executor
      .execute('v2', 'refresh_token', () => {
        attempts += 1;
        return Promise.reject(malformed);
      })
      .catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect(error).toBe(malformed);
  });

  it('a 2xx whose body parses but breaks the contract is not retried, for any grant', async () => {
    const executor = executorWith({});
    const breach = new CandescentProtocolError('expires_in 0', {
      errorCode: 'INVALID_TOKEN_RESPONSE',
      upstreamStatus: 200,
      service: 'v2',
    });
    let attempts = 0;
    const error = await executor
      .execute('v2', 'refresh_token', () => {
        attempts += 1;
        return Promise.reject(breach);
      })
      .catch((e: unknown) => e);
    expect([attempts, error]).toEqual([1, breach]);
  });
});
