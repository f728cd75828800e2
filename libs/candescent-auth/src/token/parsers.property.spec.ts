import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  CandescentAuthError,
  CandescentInvalidRequestError,
  CandescentProtocolError,
} from '../errors/candescent-auth.error';
import { classifyTokenError, MAX_RETRY_AFTER_SECONDS } from './token-error.classifier';
import { registerSecret } from '../logging/redact';
import { OverBudgetError, timed } from '../timed-run.test-helper';
import {
  CandescentLoginCredentials,
  MAX_PASSWORD_LENGTH,
  MAX_USERNAME_LENGTH,
  validateLoginCredentials,
} from './login-credentials.dto';
import { BodyParseError, formatOfContentType, parseResponseBody } from './response-body.parser';
import {
  DEFAULT_MAX_EXPIRES_IN_SECONDS,
  MAX_REFRESH_TOKEN_LIFETIME_SECONDS,
  parseTokenSuccess,
  type TokenHttpResponse,
} from './token-response.parser';

/**
 * Property-based checks of everything that reads untrusted token-service answers or caller
 * input: whatever arrives, the only failures are the module's typed errors, nothing hangs, and
 * what comes out keeps the module's invariants.
 */

/** What a call came to: its value, or the error it threw. */
function attempt<T>(run: () => T): { value: T } | { error: unknown } {
  try {
    return { value: timed(run) };
  } catch (error: unknown) {
    if (error instanceof OverBudgetError) throw error;
    return { error };
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/problem+json',
    'application/xml',
    'text/xml; charset=UTF-8',
    'application/soap+xml',
    'text/html',
    'text/plain',
    '',
  ),
  fc.constant(undefined),
  fc.string({ maxLength: 40 }),
);

/** Values a field may take in a hostile or broken answer. */
const fieldValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^[+-]?\d{1,25}(\.\d{0,4})?(e[+-]?\d{1,4})?$/),
  fc.constantFrom(
    '0',
    '-1',
    '1799',
    ' 60 ',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '30m',
    '',
    'null',
    '2030-01-01T00:00:00Z',
    'Sun, 06 Nov 1994 08:49:37 GMT',
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, 1e308, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const TOKEN_FIELDS = [
  'access_token',
  'expires_in',
  'refresh_token',
  'refresh_token_expires_in',
  'token_type',
  'di_fiid',
  'di_ficustomer',
  'di_member_number',
] as const;

/** A plausible token answer where any field may be missing or wrong. */
const tokenFieldsArb = fc.record(
  {
    access_token: fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,60}$/), fieldValueArb),
    expires_in: fc.oneof(
      fc.integer({ min: 1, max: 100_000 }),
      fc.integer({ min: 1, max: 100_000 }).map(String),
      fieldValueArb,
    ),
    refresh_token: fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,60}$/), fieldValueArb),
    refresh_token_expires_in: fieldValueArb,
    token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'MAC'), fieldValueArb),
    di_fiid: fc.oneof(fc.constant('00042'), fieldValueArb),
    di_ficustomer: fieldValueArb,
    di_member_number: fieldValueArb,
    // Computed, so that it is a key of the model and not its prototype.
    ['__proto__']: fieldValueArb,
    constructor: fieldValueArb,
  },
  { requiredKeys: [] },
);

const xmlEscape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch,
  );

/** XML text with raw characters, predefined and numeric entities (some out of range), and junk references. */
const xmlTextArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 10 }).map(xmlEscape),
      fc.constantFrom(
        '&amp;',
        '&lt;',
        '&gt;',
        '&quot;',
        '&apos;',
        '&#65;',
        '&#x41;',
        '&#0;',
        '&#xD800;',
        '&#1114112;',
        '&#x110000;',
        '&nbsp;',
        '&xxe;',
        '&',
        '<![CDATA[x<y]]>',
        '<!-- c -->',
      ),
      fc.integer({ min: 0, max: 0x10ffff }).map((n) => `&#${n};`),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const xmlNameArb = fc.oneof(
  fc.constantFrom(
    ...TOKEN_FIELDS,
    'token',
    'Status',
    'statusMessage',
    'errorInfo',
    'errorCode',
    'errorMessage',
    'errorType',
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
  ),
  fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/),
);
const xmlPrefixArb = fc.option(fc.constantFrom('ns2', 'a', 'xsi', 'S'), { nil: undefined });
const xmlAttributesArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ' xmlns="http://schema.intuit.com/fs/common/v2"',
        ' xmlns:ns2="urn:x"',
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        ' xsi:nil="true"',
      ),
      fc
        .tuple(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 8 }))
        .map(([name, value]) => ` ${name}="${xmlEscape(value)}"`),
    ),
    { maxLength: 3 },
  )
  .map((attributes) => attributes.join(''));

/** A random XML element tree: namespaces, prefixes, attributes, entities, empty elements, repeats. */
const xmlElementArb: fc.Arbitrary<string> = fc.letrec<{ element: string }>((tie) => ({
  element: fc
    .tuple(
      xmlPrefixArb,
      xmlNameArb,
      xmlAttributesArb,
      fc.oneof({ depthSize: 'small' }, xmlTextArb, fc.array(tie('element'), { maxLength: 4 })),
    )
    .map(([prefix, name, attributes, content]) => {
      const tag = prefix ? `${prefix}:${name}` : name;
      const inner = Array.isArray(content) ? content.join('') : content;
      return inner === '' ? `<${tag}${attributes}/>` : `<${tag}${attributes}>${inner}</${tag}>`;
    }),
})).element;

/** Whole XML documents, including ones with a DOCTYPE, entity declarations or cut short. */
const xmlDocumentArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', '\uFEFF<?xml version="1.0"?>'),
    fc.constantFrom(
      '',
      '',
      '<!DOCTYPE token>',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
      '<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
      '<!ENTITY e "x">',
    ),
    fc.oneof(
      xmlElementArb,
      tokenFieldsArb.map((fields) => `<token>${xmlFieldsOf(fields)}</token>`),
      tokenFieldsArb.map((fields) => `<ns2:token xmlns:ns2="urn:x">${xmlFieldsOf(fields, 'ns2')}</ns2:token>`),
    ),
    fc.nat({ max: 100 }),
  )
  .map(([declaration, doctype, root, cut]) => {
    const document = `${declaration}${doctype}${root}`;
    // One in five documents is truncated, as a reset mid-body leaves it.
    return cut < 20 ? document.slice(0, Math.floor((document.length * cut) / 20)) : document;
  });

function xmlFieldsOf(fields: Record<string, unknown>, prefix?: string): string {
  return Object.entries(fields)
    .map(([name, value]) => {
      const tag = prefix ? `${prefix}:${name}` : name;
      // JSON.stringify gives undefined for undefined, whatever its type says.
      const json = JSON.stringify(value) as string | undefined;
      const text = xmlEscape(typeof value === 'string' ? value : (json ?? ''));
      return `<${tag}>${text}</${tag}>`;
    })
    .join('');
}

/** JSON-ish bodies: valid JSON of any shape, token objects, error objects, and broken JSON. */
const jsonDocumentArb: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 3 }),
  tokenFieldsArb.map((fields) => JSON.stringify(fields)),
  tokenFieldsArb.map((fields) => JSON.stringify({ token: fields })),
  fc.record({ code: fieldValueArb, message: fieldValueArb }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc
    .record({ fault: fc.record({ faultstring: fieldValueArb, detail: fc.record({ errorcode: fieldValueArb }) }) })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      statusMessage: fieldValueArb,
      errorInfo: fc.oneof(
        fieldValueArb,
        fc.array(fc.record({ errorCode: fieldValueArb, errorMessage: fieldValueArb }), { maxLength: 3 }),
      ),
    })
    .map((v) => JSON.stringify(v)),
  fc.tuple(fc.json(), fc.nat()).map(([json, cut]) => json.slice(0, cut % (json.length + 1))),
  fc.constantFrom(
    '{"__proto__":{"polluted":true},"access_token":"abcdef","expires_in":"60"}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
);

/** Any body a token service, a proxy or a broken network might hand over. */
const bodyArb: fc.Arbitrary<string> = fc.oneof(
  xmlDocumentArb,
  jsonDocumentArb,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    '   ',
    '\uFEFF',
    '<html><body><h1>502 Bad Gateway</h1></body></html>',
    'Too Many Requests',
    '{',
    '<',
    '<token>',
  ),
);

const responseArb = (statusArb: fc.Arbitrary<number>): fc.Arbitrary<TokenHttpResponse> =>
  fc.record({
    status: statusArb,
    headers: fc.record(
      {
        'content-type': contentTypeArb,
        'retry-after': fc.oneof(
          fc.nat({ max: 100_000 }).map(String),
          fc.constantFrom(
            'Wed, 21 Oct 2037 07:28:00 GMT',
            'Sunday, 06-Nov-94 08:49:37 GMT',
            'Sun Nov  6 08:49:37 1994',
            '-5',
            '1.5',
            ' 30 ',
            '',
          ),
          fc.string({ maxLength: 30 }),
        ),
      },
      { requiredKeys: [] },
    ),
    body: bodyArb,
  });

const contextArb = fc.record({
  service: fc.constantFrom('v1' as const, 'v2' as const),
  grant: fc.constantFrom('client_credentials' as const, 'password' as const, 'refresh_token' as const),
  traceId: fc.uuid(),
  // Realistic clock readings: the epoch to the year 2286.
  receivedAt: fc.integer({ min: 0, max: 10_000_000_000_000 }),
  scopes: fc.option(fc.array(fc.stringMatching(/^[a-z]{1,8}:[a-z]{1,8}$/), { maxLength: 3 }), { nil: undefined }),
  defaultExpiresInSeconds: fc.option(fc.oneof(fc.integer({ min: 1, max: 86_400 }), fc.integer(), fc.double()), {
    nil: undefined,
  }),
  maxExpiresInSeconds: fc.option(fc.oneof(fc.integer({ min: 60, max: 31_536_000 }), fc.integer(), fc.double()), {
    nil: undefined,
  }),
});

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;
const VISIBLE_ASCII_TOKEN = /^[\x21-\x7e]{1,4096}$/;

/** Every leaf of a parsed XML document. */
function* leaves(value: unknown): Generator {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) yield* leaves(child);
  } else {
    yield value;
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('parseResponseBody (property)', () => {
  it('returns a value or throws BodyParseError, for any body and content type, within the time budget', () => {
    fc.assert(
      fc.property(contentTypeArb, bodyArb, (contentType, body) => {
        const outcome = attempt(() => parseResponseBody(contentType, body));
        // The parser's own typed error: the token parser and the classifier turn it into module errors.
        if ('error' in outcome) expect(outcome.error).toBeInstanceOf(BodyParseError);
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps every XML value a string (no number conversion of FI ids or member numbers)', () => {
    fc.assert(
      fc.property(fc.constantFrom('application/xml', 'text/xml', undefined), xmlDocumentArb, (contentType, body) => {
        const outcome = attempt(() => parseResponseBody(contentType, body));
        if ('error' in outcome) {
          expect(outcome.error).toBeInstanceOf(BodyParseError);
          return;
        }
        // Undefined is the documented answer for a blank body.
        if (outcome.value === undefined) return;
        for (const leaf of leaves(outcome.value)) expect(typeof leaf).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('never expands entities declared in a DOCTYPE', () => {
    fc.assert(
      fc.property(xmlDocumentArb, (body) => {
        fc.pre(/<!(?:DOCTYPE|ENTITY)/i.test(body));
        const outcome = attempt(() => parseResponseBody('application/xml', body));
        expect('error' in outcome && outcome.error instanceof BodyParseError).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a parsed body change Object.prototype', () => {
    fc.assert(
      fc.property(fc.constantFrom('application/json', 'application/xml'), bodyArb, (contentType, body) => {
        attempt(() => parseResponseBody(contentType, body));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('answers JSON when the content type says JSON and XML when it says XML', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), (value) => {
        const parsed = timed(() => parseResponseBody('application/json', JSON.stringify(value)));
        expect(parsed).toEqual(JSON.parse(JSON.stringify(value)));
        expect(formatOfContentType('application/json')).toBe('json');
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseTokenSuccess (property)', () => {
  it('returns a valid token or throws a CandescentProtocolError, for any answer and context', () => {
    fc.assert(
      fc.property(responseArb(fc.constant(200)), contextArb, (response, ctx) => {
        const outcome = attempt(() => parseTokenSuccess(response, ctx));
        if ('error' in outcome) {
          expect(outcome.error).toBeInstanceOf(CandescentProtocolError);
          expect((outcome.error as CandescentProtocolError).getStatus()).toBe(502);
          return;
        }
        const token = outcome.value;
        const maxSeconds = isPositiveInteger(ctx.maxExpiresInSeconds)
          ? ctx.maxExpiresInSeconds
          : DEFAULT_MAX_EXPIRES_IN_SECONDS;
        expect(token.issuedAt).toBe(ctx.receivedAt);
        expect(Number.isFinite(token.expiresAt)).toBe(true);
        expect(token.expiresAt).toBeGreaterThan(ctx.receivedAt);
        expect(token.expiresAt - ctx.receivedAt).toBeLessThanOrEqual(maxSeconds * 1000);
        expect(token.accessToken).toMatch(VISIBLE_ASCII_TOKEN);
        expect(token.tokenType).toBe('Bearer');
        expect(token.service).toBe(ctx.service);
        if (token.refreshToken !== undefined) expect(token.refreshToken).toMatch(VISIBLE_ASCII_TOKEN);
        if (token.refreshTokenExpiresAt !== undefined) {
          expect(Number.isFinite(token.refreshTokenExpiresAt)).toBe(true);
          expect(token.refreshTokenExpiresAt).toBeLessThanOrEqual(
            ctx.receivedAt + MAX_REFRESH_TOKEN_LIFETIME_SECONDS * 1000,
          );
        }
        for (const field of ['fiId', 'fiCustomerId', 'memberNumber'] as const) {
          if (token[field] !== undefined) expect(typeof token[field]).toBe('string');
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts every well-formed answer, as XML or JSON, with numbers as strings or numbers', () => {
    const wellFormed = fc.record({
      access_token: fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,64}$/),
      expires_in: fc.integer({ min: 1, max: 1_000_000_000 }),
      asText: fc.boolean(),
      refresh_token: fc.option(fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,64}$/), { nil: undefined }),
      di_fiid: fc.stringMatching(/^0\d{1,5}$/),
    });
    fc.assert(
      fc.property(wellFormed, fc.constantFrom('xml', 'json'), contextArb, (fields, format, ctx) => {
        const { asText, ...wire } = fields;
        const values = { ...wire, expires_in: asText ? String(wire.expires_in) : wire.expires_in };
        const body =
          format === 'xml' ? `<?xml version="1.0"?><token>${xmlFieldsOf(values)}</token>` : JSON.stringify(values);
        const contentType = format === 'xml' ? 'application/xml' : 'application/json';
        const token = timed(() =>
          parseTokenSuccess({ status: 200, headers: { 'content-type': contentType }, body }, ctx),
        );
        const maxSeconds = isPositiveInteger(ctx.maxExpiresInSeconds)
          ? ctx.maxExpiresInSeconds
          : DEFAULT_MAX_EXPIRES_IN_SECONDS;
        expect(token.accessToken).toBe(fields.access_token);
        expect(token.expiresAt - ctx.receivedAt).toBe(Math.min(fields.expires_in, maxSeconds) * 1000);
        if (ctx.service === 'v1') expect(token.fiId).toBe(fields.di_fiid);
      }),
      { numRuns: 500 },
    );
  });

  it('never puts a field value in its error (any of them may be a token)', () => {
    const marker = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).map((s) => `tok-${s}`);
    fc.assert(
      fc.property(
        marker,
        fieldValueArb,
        fc.constantFrom('xml', 'json'),
        contextArb,
        (secret, expiresIn, format, ctx) => {
          const fields = { access_token: secret, refresh_token: `${secret}-r`, expires_in: expiresIn, di_fiid: secret };
          const body = format === 'xml' ? `<token>${xmlFieldsOf(fields)}</token>` : JSON.stringify(fields);
          const outcome = attempt(() =>
            parseTokenSuccess(
              { status: 200, headers: { 'content-type': `application/${format}` }, body },
              { ...ctx, defaultExpiresInSeconds: undefined },
            ),
          );
          fc.pre('error' in outcome);
          const error = outcome.error as CandescentAuthError;
          for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), error.stack ?? '']) {
            expect(text).not.toContain(secret);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('classifyTokenError (property)', () => {
  it('never throws; always a CandescentAuthError with a mapped status and a sane Retry-After', () => {
    fc.assert(
      fc.property(
        responseArb(fc.oneof(fc.integer({ min: 100, max: 599 }), fc.integer())),
        contextArb,
        fc.option(fc.integer({ min: 0, max: 10_000_000_000_000 }), { nil: undefined }),
        (response, ctx, now) => {
          const outcome = attempt(() =>
            classifyTokenError(response, { service: ctx.service, grant: ctx.grant, traceId: ctx.traceId, now }),
          );
          expect('value' in outcome).toBe(true);
          const error = (outcome as { value: CandescentAuthError }).value;
          expect(error).toBeInstanceOf(CandescentAuthError);
          expect([400, 401, 403, 429, 502, 503, 504]).toContain(error.getStatus());
          expect(error.upstreamStatus).toBe(response.status);
          expect(error.traceId).toBe(ctx.traceId);
          if (error.retryAfterSeconds !== undefined) {
            expect(Number.isInteger(error.retryAfterSeconds)).toBe(true);
            expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(0);
            expect(error.retryAfterSeconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
          }
          // One line: upstream text cannot forge extra log lines.
          expect(error.message).not.toMatch(/[\r\n]/);
          expect(error.errorCode ?? '').not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('5xx answers are never client errors, and rate-limit codes at 500 are rate limiting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 500, max: 599 }),
        fc.constantFrom('CMN_90001', 'CMN_90002', '90001', '91000', '92000'),
        (status, code) => {
          const error = timed(() =>
            classifyTokenError(
              { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, message: 'x' }) },
              { service: 'v2', traceId: 't' },
            ),
          );
          expect([429, 503]).toContain(error.getStatus());
          if (status === 500) expect(error.getStatus()).toBe(429);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never repeats a registered secret that the upstream body echoed', () => {
    // A fixed lead keeps a short random secret from matching the fixed text of a message or stack.
    const secretArb = fc.stringMatching(/^[\x21-\x7e]{8,40}$/).map((s) => `Zq9~${s}`);
    fc.assert(
      fc.property(
        secretArb,
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.integer({ min: 400, max: 599 }),
        fc.constantFrom('json', 'xml', 'fault'),
        (secret, before, after, status, shape) => {
          registerSecret(secret);
          const echoed = `${before}${secret}${after}`;
          const body =
            shape === 'json'
              ? JSON.stringify({ code: echoed, message: echoed })
              : shape === 'fault'
                ? JSON.stringify({ fault: { faultstring: echoed, detail: { errorcode: echoed } } })
                : `<Status><statusMessage>${xmlEscape(echoed)}</statusMessage><errorInfo><errorType>${xmlEscape(echoed)}</errorType><errorCode>${xmlEscape(echoed)}</errorCode><errorMessage>${xmlEscape(echoed)}</errorMessage></errorInfo></Status>`;
          const contentType = shape === 'xml' ? 'application/xml' : 'application/json';
          const error = timed(() =>
            classifyTokenError(
              { status, headers: { 'content-type': contentType }, body },
              { service: 'v1', traceId: 't' },
            ),
          );
          for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), error.stack ?? '']) {
            expect(text).not.toContain(secret);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('validateLoginCredentials (property)', () => {
  /** Checks one outcome: clean credentials, or the module's typed 400. */
  function expectCleanOrTyped(raw: unknown): void {
    const outcome = attempt(() => validateLoginCredentials(raw));
    if ('error' in outcome) {
      expect(outcome.error).toBeInstanceOf(CandescentInvalidRequestError);
      expect((outcome.error as CandescentInvalidRequestError).getStatus()).toBe(400);
      return;
    }
    const { username, password } = outcome.value;
    expect(outcome.value).toBeInstanceOf(CandescentLoginCredentials);
    for (const [value, max] of [
      [username, MAX_USERNAME_LENGTH],
      [password, MAX_PASSWORD_LENGTH],
    ] as const) {
      expect(typeof value).toBe('string');
      expect(value.length).toBeGreaterThan(0);
      expect(value.length).toBeLessThanOrEqual(max);
      // eslint-disable-next-line no-control-regex -- control characters are what must be absent
      expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  }

  // Keys that mean something to JavaScript objects, mixed into otherwise ordinary JSON.
  const jsonKeyArb = fc.oneof(
    fc.constantFrom('constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'username', 'password'),
    fc.string({ maxLength: 8 }),
  );
  const jsonScalarArb = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const jsonObjectArb = fc.object({ key: jsonKeyArb, values: [jsonScalarArb], maxDepth: 2, maxKeys: 4 });
  const jsonCredentialValue = fc.oneof(jsonScalarArb, jsonObjectArb, fc.array(jsonScalarArb, { maxLength: 3 }));

  it('returns clean credentials or throws CandescentInvalidRequestError (400), for any JSON request body', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          jsonCredentialValue,
          fc.record(
            { username: jsonCredentialValue, password: jsonCredentialValue, extra: jsonCredentialValue },
            { requiredKeys: [] },
          ),
        ),
        (value) => {
          // Exactly what an HTTP body parser hands over.
          const json = JSON.stringify(value) as string | undefined;
          expectCleanOrTyped(JSON.parse(json ?? 'null'));
        },
      ),
      { numRuns: 1_000, examples: [[{ username: 'alice', password: { constructor: { name: 'x' } } }]] },
    );
  });

  const anyInput = fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });

  it('returns clean credentials or throws CandescentInvalidRequestError (400), for any JavaScript value', () => {
    const credentialValue = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      anyInput,
    );
    fc.assert(
      fc.property(
        fc.oneof(
          anyInput,
          fc.record({ username: credentialValue, password: credentialValue, extra: anyInput }, { requiredKeys: [] }),
        ),
        (raw) => {
          expectCleanOrTyped(raw);
        },
      ),
      // A shape random runs find now and then; always tried first so the outcome does not depend on the seed.
      {
        numRuns: 1_000,
        examples: [[{ username: 'alice', password: new Map([[Object.create(null) as object, null]]) }]],
      },
    );
  });

  it('never puts the password in its error', () => {
    const password = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9!#$%^*]{10,20}$/), fc.string({ unit: 'binary', maxLength: 300 }))
      .map(([core, tail]) => `pw-${core}${tail}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), jsonScalarArb), password, (username, secret) => {
        const outcome = attempt(() => validateLoginCredentials({ username, password: secret }));
        fc.pre('error' in outcome);
        const error = (outcome as { error: CandescentAuthError }).error;
        for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
          expect(text).not.toContain(secret.slice(0, 13));
        }
      }),
      { numRuns: 500 },
    );
  });
});
