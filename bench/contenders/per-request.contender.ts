import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { CandescentSandbox } from '@candescent/sandbox';
import { accessTokenOf, type Contender, type ContenderFactory, V2_TOKEN_PATH, v2TokenHeaders } from './contender';

/** No cache at all: a new token request before every downstream call. The baseline of cost. */
class PerRequestContender implements Contender {
  readonly name = 'per-request';
  private http?: AxiosInstance;
  private sandbox?: CandescentSandbox;

  setup(sandbox: CandescentSandbox): Promise<void> {
    this.sandbox = sandbox;
    this.http = axios.create({ baseURL: sandbox.url, timeout: 10_000 });
    return Promise.resolve();
  }

  async getToken(): Promise<string> {
    const res = await this.http!.post<unknown>(V2_TOKEN_PATH, 'grant_type=client_credentials', {
      headers: v2TokenHeaders(this.sandbox!, randomUUID()),
    });
    return accessTokenOf(res.data);
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }
}

export const perRequest: ContenderFactory = { name: 'per-request', create: () => new PerRequestContender() };
