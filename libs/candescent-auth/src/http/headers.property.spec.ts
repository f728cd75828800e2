import { isIP } from 'node:net';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { CandescentInvalidRequestError } from '../errors/candescent-auth.error';
import { REDACTED, redact, registerPermanentSecret, registerSecret } from '../logging/redact';
import { timed } from '../timed-run.test-helper';
import { candescentHeaders, CANDESCENT_HEADER_NAMES, type DownstreamHeaderInput } from './candescent-headers';

/**
 * Property-based checks of what the module writes into outgoing headers and of the redaction
 * applied to every log line and error text: no header value can carry CR/LF (header
 * injection), and no registered secret survives redaction wherever it sits in a text.
 */

/** Strings that are hostile in a header: CR, LF, NUL, other controls, non-ASCII, very long. */
const headerTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.stringMatching(/^[\x21-\x7e]{1,60}$/),
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.constantFrom('\r\n', '\n', '\r', '\u0000', '\u0085', '\u2028', '\r\nX-Injected: 1'),
      fc.string({ maxLength: 10 }),
    )
    .map((parts) => parts.join('')),
  fc.nat({ max: 10_000 }).map((n) => 'a'.repeat(n)),
);

const ipArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('::ffff:10.0.0.1', 'fe80::1%eth0', '10.0.0.1\r\nX: y', '999.1.1.1', '', ' 10.0.0.1', 'fe80::1%\r\n'),
  headerTextArb,
  fc.constant(undefined),
);

const inputArb: fc.Arbitrary<DownstreamHeaderInput> = fc.record({
  service: fc.constantFrom('v1' as const, 'v2' as const),
  accessToken: headerTextArb,
  traceId: fc.oneof(fc.uuid(), headerTextArb),
  fiId: fc.oneof(fc.stringMatching(/^\d{5}$/), headerTextArb),
  userAgent: fc.oneof(fc.constant('CandescentNestAuth/1.0'), headerTextArb),
  originatingIp: ipArb,
});

describe('candescentHeaders (property)', () => {
  it('returns only printable, CR/LF-free header values, or throws CandescentInvalidRequestError', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        let headers: Record<string, string>;
        try {
          headers = timed(() => candescentHeaders(input));
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(CandescentInvalidRequestError);
          // The refusal names the header, never its value (the value may be a token).
          if (input.accessToken.length >= 8) expect((error as Error).message).not.toContain(input.accessToken);
          return;
        }
        for (const [name, value] of Object.entries(headers)) {
          expect(value).not.toMatch(/[\r\n]/);
          expect(value).toMatch(/^[\x20-\x7e]*$/);
          expect(value.length).toBeLessThanOrEqual(8192);
          expect(name === 'User-Agent' || CANDESCENT_HEADER_NAMES.has(name.toLowerCase())).toBe(true);
        }
        expect(headers.Authorization).toBe(`Bearer ${input.accessToken}`);
        const [traceHeader, fiHeader] =
          input.service === 'v1' ? ['di_tid', 'di_fiid'] : ['transactionId', 'institutionId'];
        expect(headers[traceHeader]).toBe(input.traceId);
        expect(headers[fiHeader]).toBe(input.fiId);
        if ('originating_ip' in headers) {
          expect(headers.originating_ip).toBe(input.originatingIp);
          expect(isIP(headers.originating_ip)).not.toBe(0);
        } else {
          expect(
            input.originatingIp === undefined || input.originatingIp === '' || isIP(input.originatingIp) === 0,
          ).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts every well-formed input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v1' as const, 'v2' as const),
        fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,512}$/),
        fc.uuid(),
        fc.stringMatching(/^[0-9A-Za-z]{1,20}$/),
        fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined }),
        (service, accessToken, traceId, fiId, originatingIp) => {
          const headers = timed(() =>
            candescentHeaders({ service, accessToken, traceId, fiId, userAgent: 'App/1.0', originatingIp }),
          );
          expect(headers.Authorization).toBe(`Bearer ${accessToken}`);
          expect(headers.originating_ip).toBe(originatingIp);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Secrets as the module registers them: consumer secrets (printable ASCII) and opaque tokens. */
const secretArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.stringMatching(/^[\x21-\x7e]{6,64}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    fc.string({ minLength: 6, maxLength: 40 }),
  )
  .filter((secret) => secret.length >= 6 && !REDACTED.includes(secret) && !secret.includes('REDACTED'));

/** Text around a secret: log prose, JSON, form bodies, XML, headers, or anything at all. */
const surroundingArb: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 })),
  fc.constantFrom<[string, string]>(
    ['Authorization: Bearer ', '\r\n'],
    ['{"access_token":"', '","expires_in":"60"}'],
    ['grant_type=refresh_token&refresh_token=', '&scopes=a'],
    ['<token><access_token>', '</access_token></token>'],
    ['token ', ' was refused'],
    ['', ''],
    ['x', 'x'],
  ),
);

describe('redact (property)', () => {
  it('never leaves a registered secret in a text it was embedded in', () => {
    fc.assert(
      fc.property(secretArb, surroundingArb, fc.nat({ max: 3 }), (secret, [before, after], repeats) => {
        registerSecret(secret);
        const text = `${before}${secret}${after}`.repeat(repeats + 1);
        const out = timed(() => redact(text));
        expect(out).not.toContain(secret);
      }),
      { numRuns: 1_000 },
    );
  });

  it('removes every one of several registered secrets embedded in one text', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 2, maxLength: 6 }),
        fc.array(fc.string({ maxLength: 10 }), { minLength: 7, maxLength: 7 }),
        (secrets, glue) => {
          secrets.forEach((secret) => {
            registerSecret(secret);
          });
          const text = secrets.reduce((acc, secret, i) => `${acc}${secret}${glue[i + 1] ?? ''}`, glue[0] ?? '');
          const out = timed(() => redact(text));
          for (const secret of secrets) {
            // A secret inside another is taken away with the outer one's match or its own.
            expect(out).not.toContain(secret);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is stable: redacting twice changes nothing more', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const once = timed(() => redact(text));
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('never hangs on long or adversarial text', () => {
    const adversarial = fc.oneof(
      fc.nat({ max: 20_000 }).map((n) => `"password":"${'\\'.repeat(n)}`),
      fc.nat({ max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
      fc.nat({ max: 5_000 }).map((n) => '<access_token>'.repeat(n)),
      fc.nat({ max: 5_000 }).map((n) => 'password='.repeat(n)),
      fc.string({ maxLength: 5_000 }),
    );
    fc.assert(
      fc.property(adversarial, (text) => {
        expect(typeof timed(() => redact(text))).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('still removes a secret registered at start-up after many tokens have been registered since', () => {
    // The consumer secret is registered once, when the module starts; every login and renewal
    // registers more tokens afterwards. A long-running instance must keep redacting the secret.
    const consumerSecret = 'consumer-secret-registered-at-boot';
    registerPermanentSecret(consumerSecret);
    for (let i = 0; i < 120_000; i++) registerSecret(`access-token-${i.toString(36).padStart(8, '0')}`);

    expect(redact(`upstream said: ${consumerSecret}`)).not.toContain(consumerSecret);
    expect(inspect(redact(consumerSecret))).not.toContain(consumerSecret);
  });
});
