import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { CandescentSandbox } from '@candescent/sandbox';
import { BENCH_SETTINGS } from '../bench.settings';
import {
  accessTokenOf,
  type Contender,
  type ContenderFactory,
  expiresInOf,
  V2_TOKEN_PATH,
  v2TokenHeaders,
} from './contender';

/**
 * The pattern found in much bank integration code: the token in a variable, fetched with axios
 * when missing or about to expire. Every caller that sees it missing fetches its own.
 */
class NaiveCacheContender implements Contender {
  readonly name = 'naive-cache';
  private http?: AxiosInstance;
  private sandbox?: CandescentSandbox;
  private cached?: { accessToken: string; expiresAt: number };

  setup(sandbox: CandescentSandbox): Promise<void> {
    this.sandbox = sandbox;
    // Same per-request timeout as our module's default.
    this.http = axios.create({ baseURL: sandbox.url, timeout: 10_000 });
    return Promise.resolve();
  }

  async getToken(): Promise<string> {
    if (this.cached && Date.now() < this.cached.expiresAt - BENCH_SETTINGS.expiryWindowSeconds * 1000) {
      return this.cached.accessToken;
    }
    const res = await this.http!.post<unknown>(V2_TOKEN_PATH, 'grant_type=client_credentials', {
      headers: v2TokenHeaders(this.sandbox!, randomUUID()),
    });
    this.cached = { accessToken: accessTokenOf(res.data), expiresAt: Date.now() + expiresInOf(res.data) * 1000 };
    return this.cached.accessToken;
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }
}

export const naiveCache: ContenderFactory = { name: 'naive-cache', create: () => new NaiveCacheContender() };
