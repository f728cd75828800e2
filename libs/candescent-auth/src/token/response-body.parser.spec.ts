import {
  BodyParseError,
  formatOfContentType,
  MAX_BODY_NESTING,
  MAX_RESPONSE_BODY_BYTES,
  mediaTypeOf,
  parseResponseBody,
} from './response-body.parser';

const V1_TOKEN_XML = `<?xml version="1.0" encoding="UTF-8"?>
<token>
  <di_fiid>00042</di_fiid>
  <di_member_number>0100200300</di_member_number>
  <access_token>Zm9vYmFyYmF6cXV4cXV1eGNvcmdl</access_token>
  <expires_in>1799</expires_in>
  <refresh_token_expires_in>2591999.50</refresh_token_expires_in>
</token>`;

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof BodyParseError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('formatOfContentType', () => {
  it.each([
    ['application/xml', 'xml'],
    ['text/xml; charset=UTF-8', 'xml'],
    ['application/soap+xml', 'xml'],
    ['APPLICATION/XML', 'xml'],
    ['application/json', 'json'],
    ['application/json;charset=utf-8', 'json'],
    ['application/problem+json', 'json'],
    ['text/html', undefined],
    ['text/plain', undefined],
    ['application/x-www-form-urlencoded', undefined],
    [undefined, undefined],
    ['', undefined],
  ])('%p -> %p', (contentType, format) => {
    expect(formatOfContentType(contentType)).toBe(format);
  });

  it('refuses to echo a header value that is not shaped like a media type', () => {
    expect(mediaTypeOf('text/html; charset=utf-8')).toBe('text/html');
    expect(mediaTypeOf('Bearer abc def')).toBeUndefined();
  });
});

describe('parseResponseBody', () => {
  it('keeps every XML value a string (leading zeros, numbers, decimals)', () => {
    expect(parseResponseBody('application/xml', V1_TOKEN_XML)).toEqual({
      token: {
        di_fiid: '00042',
        di_member_number: '0100200300',
        access_token: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdl',
        expires_in: '1799',
        refresh_token_expires_in: '2591999.50',
      },
    });
  });

  it.each([
    [
      'default namespace',
      '<Status xmlns="http://schema.intuit.com/fs/common/v2"><statusMessage>m</statusMessage><errorInfo><errorCode>90001</errorCode></errorInfo></Status>',
    ],
    [
      'prefixed namespace with extra declarations',
      '<ns2:Status xmlns:ns2="http://schema.intuit.com/fs/common/v2" xmlns:ns3="urn:x"><ns2:statusMessage>m</ns2:statusMessage><ns2:errorInfo><ns2:errorCode>90001</ns2:errorCode></ns2:errorInfo></ns2:Status>',
    ],
  ])('removes namespaces and makes a single errorInfo an array (%s)', (_name, xml) => {
    expect(parseResponseBody('text/xml', xml)).toEqual({
      Status: { statusMessage: 'm', errorInfo: [{ errorCode: '90001' }] },
    });
  });

  it('keeps repeated errorInfo elements in order', () => {
    const xml =
      '<Status><errorInfo><errorCode>90002</errorCode></errorInfo><errorInfo><errorCode>90001</errorCode></errorInfo></Status>';
    expect(parseResponseBody('application/xml', xml)).toEqual({
      Status: { errorInfo: [{ errorCode: '90002' }, { errorCode: '90001' }] },
    });
  });

  it('decodes predefined entities and character references without expanding anything else', () => {
    const xml =
      '<Status><statusMessage>Form param &apos;grant_type&apos; &amp; &#65;&#x42; &custom;</statusMessage></Status>';
    expect(parseResponseBody('application/xml', xml)).toEqual({
      Status: { statusMessage: "Form param 'grant_type' & AB &custom;" },
    });
  });

  it('parses JSON without changing strings', () => {
    const body = '{"di_fiid":"00016","expires_in":1799,"access_token":"abc"}';
    expect(parseResponseBody('application/json', body)).toEqual({
      di_fiid: '00016',
      expires_in: 1799,
      access_token: 'abc',
    });
  });

  it.each([
    ['<?xml', '<?xml version="1.0"?><token><access_token>a</access_token></token>', 'xml'],
    ['<Status', '<Status><statusMessage>m</statusMessage></Status>', 'xml'],
    ['<ns2:Status', '<ns2:Status xmlns:ns2="urn:x"><ns2:statusMessage>m</ns2:statusMessage></ns2:Status>', 'xml'],
    ['<token', '<token><access_token>a</access_token></token>', 'xml'],
    ['{', '{"code":"CMN_90015"}', 'json'],
  ])('sniffs %s when the content type is missing', (_start, body, format) => {
    const parsed = parseResponseBody(undefined, body);
    expect(parsed).toBeDefined();
    expect(typeof parsed).toBe('object');
    if (format === 'json') expect(parsed).toEqual({ code: 'CMN_90015' });
  });

  it.each([
    ['HTML with a content type', 'text/html', '<html><body>Bad gateway</body></html>'],
    ['plain text', 'text/plain', 'upstream connect error'],
    ['HTML without a content type', undefined, '<html><body>502</body></html>'],
    ['JSON-looking text declared as plain text', 'text/plain', '{"code":"x"}'],
    ['an empty XML body', 'application/xml', ''],
    ['a blank JSON body', 'application/json', '  \n '],
  ])('returns undefined for %s', (_name, contentType, body) => {
    expect(parseResponseBody(contentType, body)).toBeUndefined();
  });

  it.each([
    ['truncated XML', 'application/xml', '<token><access_token>abc</access_token>'],
    ['cut mid-tag XML', 'application/xml', '<token><access_token>abc</access_tok'],
    ['two roots', 'application/xml', '<a>1</a><b>2</b>'],
    ['text declared as XML', 'application/xml', 'not xml at all'],
    ['a reserved property name', 'application/xml', '<token><__proto__>x</__proto__></token>'],
  ])('rejects %s as invalid XML', (_name, contentType, body) => {
    expect(reasonOf(() => parseResponseBody(contentType, body))).toBe('invalid-xml');
  });

  it.each([
    ['truncated JSON', '{"access_token":"abc","expires_in":'],
    ['trailing garbage', '{"a":1} x'],
    ['single quotes', "{'a':1}"],
  ])('rejects %s as invalid JSON', (_name, body) => {
    expect(reasonOf(() => parseResponseBody('application/json', body))).toBe('invalid-json');
  });

  it.each([
    ['a DOCTYPE with an internal entity', '<!DOCTYPE t [<!ENTITY a "aaaa">]><token>&a;</token>'],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><token>&lol2;</token>',
    ],
    ['an external entity', '<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><token>&x;</token>'],
    ['a lower-case doctype', '<!doctype token><token>a</token>'],
  ])('rejects %s', (_name, body) => {
    expect(reasonOf(() => parseResponseBody('application/xml', body))).toBe('doctype');
  });

  it('rejects bodies over the size limit, for XML and JSON alike', () => {
    const filler = 'a'.repeat(MAX_RESPONSE_BODY_BYTES);
    expect(reasonOf(() => parseResponseBody('application/xml', `<token><x>${filler}</x></token>`))).toBe('too-large');
    expect(reasonOf(() => parseResponseBody('application/json', `{"x":"${filler}"}`))).toBe('too-large');
  });

  it.each([
    ['JSON arrays', 'application/json', `{"access_token":${'['.repeat(20_000)}${']'.repeat(20_000)}}`],
    ['JSON objects', 'application/json', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
  ])('rejects %s nested thousands of levels deep as too deep, not with a stack overflow', (_name, type, body) => {
    expect(reasonOf(() => parseResponseBody(type, body))).toBe('too-deep');
  });

  it.each([200, 8_000])(
    'refuses XML nested %i levels deep with a typed reason (the XML parser has a nesting limit of its own)',
    (levels) => {
      const body = `<token>${'<a>'.repeat(levels)}x${'</a>'.repeat(levels)}</token>`;
      expect(['too-deep', 'invalid-xml']).toContain(reasonOf(() => parseResponseBody('application/xml', body)));
    },
  );

  it('accepts the nesting real answers have', () => {
    const status =
      '<Status xmlns="http://schema.intuit.com/fs/common/v2"><errorInfo><errorCode>90001</errorCode></errorInfo></Status>';
    expect(parseResponseBody('application/xml', status)).toEqual({ Status: { errorInfo: [{ errorCode: '90001' }] } });
    const nested = `${'{"a":'.repeat(MAX_BODY_NESTING)}1${'}'.repeat(MAX_BODY_NESTING)}`;
    expect(parseResponseBody('application/json', nested)).toBeDefined();
    expect(reasonOf(() => parseResponseBody('application/json', `{"a":${nested}}`))).toBe('too-deep');
  });

  it('accepts a body just under the limit', () => {
    const filler = 'a'.repeat(MAX_RESPONSE_BODY_BYTES - 20);
    expect(parseResponseBody('application/json', `{"x":"${filler}"}`)).toEqual({ x: filler });
  });

  it('never puts body text into the parse error', () => {
    const secret = 'hunter2-secret-password';
    try {
      parseResponseBody('application/xml', `<token><password>${secret}</password>`);
      throw new Error('expected a BodyParseError');
    } catch (error) {
      expect(error).toBeInstanceOf(BodyParseError);
      expect(String(error)).not.toContain(secret);
      expect((error as BodyParseError).detail).toBe('invalid XML');
    }
  });
});
