import type { CandescentToken } from '../token/candescent-token.interface';
import { renewalOf } from './session-renewal';
import type { StoredSession } from './stored-session.interface';

const token = (service: 'v1' | 'v2', accessToken: string, refreshToken?: string): CandescentToken => ({
  service,
  grant: 'password',
  accessToken,
  tokenType: 'Bearer',
  issuedAt: 0,
  expiresAt: 1_799_000,
  refreshToken,
});

const customer = { fiId: '00042', loginId: 'alice' } as StoredSession['tokens']['customer'];
const read: StoredSession = {
  v: 1,
  rev: 3,
  tokens: { customer, v1: token('v1', 'v1-a'), v2: token('v2', 'a', 'spent') },
  createdAt: 0,
  lastSeenAt: 0,
  absoluteExpiresAt: 1,
};

describe('renewalOf', () => {
  const renewed = { ...read.tokens, v2: token('v2', 'b', 'fresh') };

  it('puts the new tokens over the session it read', () => {
    expect(renewalOf(read, renewed, undefined)(read)?.tokens).toBe(renewed);
  });

  it('puts them over a session changed meanwhile that still holds the spent refresh token', () => {
    const latest = { ...read, rev: 4, tokens: { ...read.tokens, v1: undefined } };
    const written = renewalOf(read, renewed, undefined)(latest);
    expect(written?.rev).toBe(4);
    expect(written?.tokens.v1).toBeUndefined();
    expect(written?.tokens.v2?.refreshToken).toBe('fresh');
  });

  it('writes nothing over a session whose refresh token another instance already rotated', () => {
    const latest = { ...read, rev: 4, tokens: { ...read.tokens, v2: token('v2', 'c', 'theirs') } };
    expect(renewalOf(read, renewed, undefined)(latest)).toBeUndefined();
  });

  it('keeps the latest V2 token when the renewal only dropped a refused V1 token, and the latest refusal record', () => {
    const refusal = { at: 5, replacement: 'hash', accepted: true };
    const latest = { ...read, rev: 4, refusal, tokens: { ...read.tokens, v2: token('v2', 'a2', 'spent') } };
    const written = renewalOf(read, { ...read.tokens, v1: undefined }, read.refusal)(latest);
    expect(written?.tokens.v1).toBeUndefined();
    expect(written?.tokens.v2?.accessToken).toBe('a2');
    expect(written?.refusal).toBe(refusal);
  });
});
