/**
 * The one redaction function of the module. The logger, every error message, every error's
 * `toJSON`/`util.inspect` form and every axios error that passes through the module go through
 * it, so a secret that slips into a string is removed in one place.
 *
 * Two layers: exact values registered at run time (the consumer secret, the store password and
 * the institution tokens: a handful per app, whatever the traffic), and patterns for
 * credential-shaped text (Authorization headers, form and JSON fields) that catch values the
 * registry has not seen.
 *
 * Customer secrets (session handles, customer access and refresh tokens) are not registered:
 * one entry per session would make the registry, and every log line's scan, grow with the
 * number of sessions. They are kept out of text by construction instead: they never go into
 * a message or log field, sit in private fields of the objects that hold them, and the leak
 * suite looks for every one of them by value in every log line, reply and error.
 */
const MIN_SECRET_LENGTH = 6;
/** Institution tokens kept for redaction by value, newest last; the oldest go first past this. */
const MAX_REGISTERED = 1_000;
/** Registered values are found through their first characters, so redaction cost follows the text, not the registry. */
const PREFIX_LENGTH = 8;
export const REDACTED = '[REDACTED]';

/** Short run-time values (6-7 characters) kept at most; they are found by a plain scan. */
const MAX_SHORT = 1_000;

/** Configuration secrets (consumer secret, store password): few, never evicted. */
const permanent = new Set<string>();
/** Run-time secrets (tokens, session handles) in insertion order, for eviction. */
const known = new Set<string>();
/** The same values by their first PREFIX_LENGTH characters, then by length: a lookup per distinct length. */
const byPrefix = new Map<string, Map<number, Set<string>>>();
/** Run-time values too short for the prefix index, bounded. */
const short = new Set<string>();

const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

/** The value and the ways it is commonly written elsewhere: percent-encoded (either case), form-encoded, JSON-escaped. */
function forms(value: string): string[] {
  const encoded = encodeURIComponent(value);
  const formEncoded = new URLSearchParams({ v: value }).toString().slice(2);
  const json = JSON.stringify(value).slice(1, -1);
  return [
    ...new Set([
      value,
      encoded,
      lowerEscapes(encoded),
      formEncoded,
      lowerEscapes(formEncoded),
      json,
      json.replace(/\//g, '\\/'),
    ]),
  ];
}

function add(value: string): void {
  if (value.length < PREFIX_LENGTH) {
    short.delete(value);
    short.add(value);
    if (short.size > MAX_SHORT) short.delete(short.values().next().value ?? value);
    return;
  }
  known.delete(value);
  known.add(value);
  const prefix = value.slice(0, PREFIX_LENGTH);
  let lengths = byPrefix.get(prefix);
  if (!lengths) byPrefix.set(prefix, (lengths = new Map<number, Set<string>>()));
  let bucket = lengths.get(value.length);
  if (!bucket) lengths.set(value.length, (bucket = new Set<string>()));
  bucket.add(value);
}

function remove(value: string): void {
  short.delete(value);
  if (!known.delete(value)) return;
  const prefix = value.slice(0, PREFIX_LENGTH);
  const lengths = byPrefix.get(prefix);
  const bucket = lengths?.get(value.length);
  bucket?.delete(value);
  if (bucket?.size === 0) lengths?.delete(value.length);
  if (lengths?.size === 0) byPrefix.delete(prefix);
}

/**
 * Remember a run-time secret (an institution token) so that it is removed wherever it later
 * appears in text. Bounded: past {@link MAX_REGISTERED} the oldest is forgotten.
 */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  for (const form of forms(value)) add(form);
  while (known.size > MAX_REGISTERED) {
    const oldest = known.values().next().value;
    if (oldest === undefined) break;
    remove(oldest);
  }
}

/** Remember a configuration secret (consumer secret, store password) for the life of the process. */
export function registerPermanentSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  for (const form of forms(value)) permanent.add(form);
}

/** Forget a run-time secret; patterns still apply. */
export function forgetSecret(value: string | undefined | null): void {
  if (!value) return;
  for (const form of forms(value)) remove(form);
}

/** Replaces every indexed run-time secret in one left-to-right pass, longest match first. */
function redactRegistered(text: string): string {
  if (known.size === 0 || text.length < PREFIX_LENGTH) return text;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i <= text.length - PREFIX_LENGTH) {
    const lengths = byPrefix.get(text.slice(i, i + PREFIX_LENGTH));
    let match = 0;
    if (lengths) {
      for (const [length, bucket] of lengths) {
        if (length > match && bucket.has(text.slice(i, i + length))) match = length;
      }
    }
    if (match > 0) {
      out += text.slice(copied, i) + REDACTED;
      i += match;
      copied = i;
    } else {
      i += 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function replaceAll(text: string, values: ReadonlySet<string>): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out;
}

const SENSITIVE_KEYS =
  'password|passwd|secret|consumer_?secret|client_?secret|access_?token|refresh_?token|id_?token|token|session_?token|authorization|cookie|set-cookie|x-session-token';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization: Basic xxx / Bearer xxx, anywhere in text.
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // form bodies and query strings: password=...&
  [new RegExp(`\\b(${SENSITIVE_KEYS})=([^&\\s"']*)`, 'gi'), `$1=${REDACTED}`],
  // JSON: "password":"..."
  [new RegExp(`("(?:${SENSITIVE_KEYS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  // XML: <access_token>...</access_token>, with or without a namespace prefix
  [new RegExp(`<((?:[\\w-]+:)?(?:${SENSITIVE_KEYS}))>[^<]*</\\1>`, 'gi'), `<$1>${REDACTED}</$1>`],
];

/** Remove every registered secret value and credential-shaped text from a string. */
export function redact(text: string): string {
  // Longest values first: a short secret inside a token must not cut it and leave the rest.
  let out = redactRegistered(text);
  out = replaceAll(out, permanent);
  out = replaceAll(out, short);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const SENSITIVE_KEY = new RegExp(`^(?:${SENSITIVE_KEYS})$`, 'i');

/**
 * Deep-copies plain data with sensitive keys blanked and every string redacted. Used for
 * structured log context and error details; cycles and depth are bounded.
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet()): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}

/** How many run-time values the registry holds (each in its encoded forms); for tests and health checks. */
export function registeredSecretCount(): number {
  return known.size + short.size;
}
