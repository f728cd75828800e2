import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Largest token-service body the module parses; real answers are well under 2 KiB. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/** Why a body was refused. Fixed words only: the body itself may hold a token or a password. */
export type BodyParseFailure = 'too-large' | 'too-deep' | 'doctype' | 'invalid-xml' | 'invalid-json';

/** Deepest nesting a token-service body may have; real answers are two or three levels deep. */
export const MAX_BODY_NESTING = 16;

const FAILURE_TEXT: Record<BodyParseFailure, string> = {
  'too-large': `body larger than ${MAX_RESPONSE_BODY_BYTES} bytes`,
  'too-deep': `body nested deeper than ${MAX_BODY_NESTING} levels`,
  doctype: 'XML with a DOCTYPE or ENTITY declaration',
  'invalid-xml': 'invalid XML',
  'invalid-json': 'invalid JSON',
};

/**
 * A token-service body that claims to be XML or JSON but is not. Internal to the module: the
 * token parser and the error classifier turn it into a `CandescentProtocolError`.
 */
export class BodyParseError extends Error {
  /** A short, fixed description of the reason, safe to put in an error message. */
  readonly detail: string;

  constructor(readonly reason: BodyParseFailure) {
    super(`Response body rejected: ${FAILURE_TEXT[reason]}.`);
    this.name = 'BodyParseError';
    this.detail = FAILURE_TEXT[reason];
  }
}

/** The body formats the token services use. */
export type BodyFormat = 'xml' | 'json';

const XML_PREDEFINED: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/**
 * Decodes the five predefined XML entities and character references in one pass. Entity
 * processing in the parser is off (no DOCTYPE expansion at all), so without this an error
 * message would keep `&apos;`. One pass means no expansion can cascade.
 */
function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});/gi, (whole, ref: string) => {
    if (!ref.startsWith('#')) return XML_PREDEFINED[ref.toLowerCase()] ?? whole;
    const hex = ref[1] === 'x' || ref[1] === 'X';
    const codePoint = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
    return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
  });
}

const xmlParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every value stays a string: FI id `00016` must not become 16, member numbers not floats.
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  isArray: (tagName) => tagName === 'errorInfo',
  tagValueProcessor: (_tagName, tagValue) => decodeXmlText(tagValue),
});

/**
 * Picks the body format from a Content-Type header value (parameters such as `charset` are
 * ignored). Returns undefined for anything that is neither XML nor JSON.
 */
export function formatOfContentType(contentType: string | undefined): BodyFormat | undefined {
  const mediaType = mediaTypeOf(contentType);
  if (!mediaType) return undefined;
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml')) {
    return 'xml';
  }
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return 'json';
  return undefined;
}

/**
 * The bare media type of a Content-Type value, lower-cased, or undefined when it is missing or
 * not shaped like a media type (so it can be quoted in an error message safely).
 */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType && /^[\w.+-]{1,64}\/[\w.+-]{1,64}$/.test(mediaType) ? mediaType : undefined;
}

function sniffFormat(body: string): BodyFormat | undefined {
  if (/^<(?:\?xml|(?:[\w.-]+:)?(?:Status|token)\b)/.test(body)) return 'xml';
  return body.startsWith('{') ? 'json' : undefined;
}

/**
 * Parses a token-service response body by its Content-Type: XML (`application/xml`,
 * `text/xml`, `*+xml`) or JSON (`application/json`, `*+json`). When the header is missing, a
 * body that starts like a Candescent XML document or a JSON object is parsed anyway.
 *
 * XML values all stay strings, namespace prefixes are removed, attributes are ignored and
 * `errorInfo` is always an array.
 *
 * @returns the parsed value, or undefined when the format is neither XML nor JSON or the body
 *   is blank (callers then classify by HTTP status alone).
 * @throws BodyParseError when the body is larger than {@link MAX_RESPONSE_BODY_BYTES}, declares
 *   a DOCTYPE or entity, or is not well-formed.
 */
export function parseResponseBody(contentType: string | undefined, body: string): unknown {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') return undefined;
  const format = mediaTypeOf(contentType) ? formatOfContentType(contentType) : sniffFormat(text);
  if (!format) return undefined;
  if (Buffer.byteLength(text, 'utf8') > MAX_RESPONSE_BODY_BYTES) {
    throw new BodyParseError('too-large');
  }
  let parsed: unknown;
  try {
    parsed = format === 'xml' ? parseXml(text) : parseJson(text);
  } catch (error: unknown) {
    // A parser that recurses runs out of stack on deep nesting; that is a malformed body too.
    if (error instanceof RangeError) throw new BodyParseError('too-deep');
    throw error;
  }
  // Everything after parsing (DTO mapping, error classification) walks the value recursively.
  if (nestedDeeperThan(parsed, MAX_BODY_NESTING)) throw new BodyParseError('too-deep');
  return parsed;
}

/** Whether a parsed value nests objects or arrays deeper than `limit`, found without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

function parseXml(text: string): unknown {
  // No DTD ever belongs in a token answer; refusing it outright rules out entity expansion.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) throw new BodyParseError('doctype');
  // The parser accepts truncated documents; the validator does not. It is deprecated in favour
  // of the separate fast-xml-validator package, which this project does not depend on.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (XMLValidator.validate(text) !== true) throw new BodyParseError('invalid-xml');
  try {
    return xmlParser.parse(text) as unknown;
  } catch {
    // Reserved names such as __proto__ end up here, as well as anything the validator missed.
    throw new BodyParseError('invalid-xml');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyParseError('invalid-json');
  }
}
