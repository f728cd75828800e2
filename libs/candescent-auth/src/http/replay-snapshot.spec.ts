import axios, { type InternalAxiosRequestConfig } from 'axios';
import { putCandescentHeaders } from './candescent-headers';
import { replayOf, sentRequest, snapshotForReplay } from './replay-snapshot';

const MARK = Symbol('caller mark');

/** A config as the interceptor gets it: AxiosHeaders, a header axios must not send, a caller's symbol field. */
function incoming(): InternalAxiosRequestConfig {
  const config = {
    method: 'get',
    url: '/db-accounts/v1/accounts',
    headers: new axios.AxiosHeaders({ Accept: 'application/json', 'Content-Type': false, 'X-Caller': 'one' }),
    [MARK]: 'kept',
  } as unknown as InternalAxiosRequestConfig;
  return config;
}

describe('snapshotForReplay', () => {
  it('keeps every field and header as they were, a `false` header and a symbol field included', () => {
    const config = incoming();
    const snapshot = snapshotForReplay(config) as Record<string | symbol, unknown>;
    expect(snapshot[MARK]).toBe('kept');
    expect(snapshot.url).toBe('/db-accounts/v1/accounts');
    expect(snapshot.headers).toEqual({ Accept: 'application/json', 'Content-Type': false, 'X-Caller': 'one' });
  });

  it('is a copy: what axios and later interceptors change on the request does not reach it', () => {
    const config = incoming();
    const snapshot = snapshotForReplay(config);
    config.headers.set('Content-Length', '12');
    config.headers.set('X-Caller', 'two');
    config.url = '/elsewhere';
    expect(snapshot.url).toBe('/db-accounts/v1/accounts');
    expect(snapshot.headers).toEqual({ Accept: 'application/json', 'Content-Type': false, 'X-Caller': 'one' });
  });
});

describe('sentRequest and replayOf', () => {
  it('records the sent headers without the Candescent ones, whatever their case, and replays them', () => {
    const config = incoming();
    putCandescentHeaders(config.headers, {
      Authorization: 'Bearer spent-token',
      transactionId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    config.headers.set('DI_TID', 'stale');
    const sent = sentRequest(config);
    expect(Object.keys(sent.headers).sort()).toEqual(['Accept', 'Content-Type', 'X-Caller']);
    const replay = replayOf(snapshotForReplay(incoming()), sent);
    expect(replay.headers).toEqual({ Accept: 'application/json', 'Content-Type': false, 'X-Caller': 'one' });
    expect(replay.headers).not.toBe(sent.headers);
    expect(replay.candescentReplay).toBe(true);
  });
});

describe('putCandescentHeaders', () => {
  it("replaces the caller's headers of the same names in any case, and leaves the others", () => {
    const headers = new axios.AxiosHeaders({
      authorization: 'Bearer not-ours',
      TRANSACTIONID: 'caller-id',
      originating_ip: '203.0.113.7',
      Accept: 'application/json',
    });
    putCandescentHeaders(headers, { Authorization: 'Bearer ours', transactionId: 'our-id' });
    expect(headers.toJSON()).toEqual({
      Authorization: 'Bearer ours',
      transactionId: 'our-id',
      originating_ip: '203.0.113.7',
      Accept: 'application/json',
    });
    expect(headers.get('authorization')).toBe('Bearer ours');
  });

  it('also replaces a header the caller set to false (which would have kept axios from sending ours)', () => {
    const headers = new axios.AxiosHeaders({ Authorization: false });
    putCandescentHeaders(headers, { Authorization: 'Bearer ours' });
    expect(headers.get('Authorization')).toBe('Bearer ours');
  });
});
