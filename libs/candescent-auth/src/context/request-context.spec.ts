import { inspect } from 'node:util';
import type { CandescentTokenSet } from '../token/token-set.interface';
import { CandescentContext, clientIpFrom, traceIdFrom } from './request-context';
import { ContextSession } from './session-ref';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('traceIdFrom', () => {
  it.each(['di_tid', 'transactionid', 'x-request-id'])('reuses a valid UUID from %s, lower-cased', (header) => {
    const incoming = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    expect(traceIdFrom({ headers: { [header]: incoming } })).toBe(incoming.toLowerCase());
  });

  it.each([
    ['not-a-uuid'],
    ['0f8fad5b-d9cb-469f-a165-70867728950e\r\nX-Evil: 1'],
    [''],
    [['0f8fad5b-d9cb-469f-a165-70867728950e']],
  ])('replaces a spoofed or malformed id (%j) with a fresh one', (value) => {
    const id = traceIdFrom({ headers: { di_tid: value } });
    expect(id).toMatch(UUID);
    expect(id).not.toBe(String(value).toLowerCase());
  });

  it('gives the same id for the same request every time it is asked', () => {
    const request = { headers: {} };
    const first = traceIdFrom(request);
    expect(traceIdFrom(request)).toBe(first);
    expect(traceIdFrom({ headers: {} })).not.toBe(first);
  });
});

describe('clientIpFrom', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['203.0.113.7, 10.0.0.1', undefined],
    ['evil\r\nheader', undefined],
    [undefined, undefined],
  ])('%s -> %s', (input, expected) => {
    expect(clientIpFrom(input)).toBe(expected);
  });
});

describe('CandescentContext', () => {
  it('keeps concurrent flows apart', async () => {
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        CandescentContext.run({ traceId: `trace-${i}` }, async () => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 11));
          return CandescentContext.current()?.traceId;
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `trace-${i}`));
    expect(CandescentContext.current()).toBeUndefined();
  });
});

describe('ContextSession', () => {
  it('never prints its tokens', () => {
    const tokens: CandescentTokenSet = {
      customer: { fiId: '00042', loginId: 'alice' },
      v2: {
        service: 'v2',
        grant: 'password',
        accessToken: 'access-Zq9xPl2',
        refreshToken: 'refresh-Kd83Hs1',
        tokenType: 'Bearer',
        issuedAt: 0,
        expiresAt: 1,
      },
    };
    const session = new ContextSession('sid', tokens);
    const context = { traceId: 't', session };
    for (const text of [inspect(context, { depth: 10, showHidden: true }), JSON.stringify(context)]) {
      expect(text).toContain('sid');
      expect(text).not.toContain('access-Zq9xPl2');
      expect(text).not.toContain('refresh-Kd83Hs1');
    }
    expect(session.tokens.v2?.accessToken).toBe('access-Zq9xPl2');
  });
});

describe('CandescentContext.forRequest (for apps that open contexts themselves, context: false)', () => {
  it("makes the context the module's middleware would: the incoming trace id and the client IP", () => {
    const request = { headers: { di_tid: '0F8FAD5B-D9CB-469F-A165-70867728950E' }, ip: '::ffff:203.0.113.7' };
    expect(CandescentContext.forRequest(request)).toEqual({
      traceId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      clientIp: '203.0.113.7',
    });
    // The same trace id the module's guard and error bodies then report for this request.
    expect(CandescentContext.traceIdFrom(request)).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
  });

  it('leaves out an address that is not one, and makes a trace id when none came', () => {
    const context = CandescentContext.forRequest({ headers: {}, ip: '203.0.113.7, 10.0.0.1' });
    expect(context.traceId).toMatch(UUID);
    expect(context).not.toHaveProperty('clientIp');
    expect(CandescentContext.clientIpFrom('2001:db8::1')).toBe('2001:db8::1');
  });
});
