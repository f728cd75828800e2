import { randomUUID } from 'node:crypto';
import { type AccessToken, ClientCredentials } from 'simple-oauth2';
import type { CandescentSandbox } from '@candescent/sandbox';
import { BENCH_SETTINGS } from '../bench.settings';
import { accessTokenOf, type Contender, type ContenderFactory, V2_TOKEN_PATH } from './contender';

/**
 * simple-oauth2 v5 as its README shows for the client credentials grant: keep the AccessToken,
 * check `expired(window)` before each use and call `getToken()` again when it says so. Candescent's
 * per-request headers go in through the http options. Concurrent callers that find the token
 * expired each call `getToken()`: the library has no single-flight, and app code rarely adds one.
 */
class SimpleOauth2Contender implements Contender {
  readonly name = 'simple-oauth2';
  private client?: ClientCredentials;
  private token?: AccessToken;
  private institutionId = '';

  setup(sandbox: CandescentSandbox): Promise<void> {
    this.institutionId = sandbox.credentials.fiId;
    this.client = new ClientCredentials({
      client: { id: sandbox.credentials.consumerKey, secret: sandbox.credentials.consumerSecret },
      auth: { tokenHost: sandbox.url, tokenPath: V2_TOKEN_PATH },
      options: { authorizationMethod: 'header', bodyFormat: 'form' },
      // The same per-request timeout as our module's default, so a hang costs everyone alike.
      http: { timeout: 10_000 },
    });
    return Promise.resolve();
  }

  async getToken(): Promise<string> {
    if (!this.token || this.token.expired(BENCH_SETTINGS.expiryWindowSeconds)) {
      this.token = await this.client!.getToken(
        {},
        { headers: { transactionId: randomUUID(), institutionId: this.institutionId } },
      );
    }
    return accessTokenOf(this.token.token);
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }
}

export const simpleOauth2: ContenderFactory = { name: 'simple-oauth2', create: () => new SimpleOauth2Contender() };
