/**
 * The one redaction function of the module. The logger, every error message, every error's
 * `toJSON`/`util.inspect` form and every axios error that passes through the module go through
 * it, so a secret that slips into a string is removed in one place.
 *
 * Two layers: exact values registered at run time (consumer secret, tokens, session handles),
 * and patterns for credential-shaped text (Authorization headers, form and JSON fields) that
 * catch values the registry has not seen.
 */
const MIN_SECRET_LENGTH = 6;
const MAX_REGISTERED = 10_000;
export const REDACTED = '[REDACTED]';

const known = new Set<string>();

/** Remember a secret value so that it is removed wherever it later appears in text. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  if (known.size >= MAX_REGISTERED) {
    // Oldest first: Set iteration follows insertion order.
    const oldest = known.values().next().value;
    if (oldest !== undefined) known.delete(oldest);
  }
  known.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) known.add(encoded);
}

/** Forget a secret (a revoked token); patterns still apply. */
export function forgetSecret(value: string | undefined | null): void {
  if (!value) return;
  known.delete(value);
  known.delete(encodeURIComponent(value));
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
  [
    new RegExp(`<((?:[\\w-]+:)?(?:${SENSITIVE_KEYS}))>[^<]*</\\1>`, 'gi'),
    `<$1>${REDACTED}</$1>`,
  ],
];

/** Remove every registered secret value and credential-shaped text from a string. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
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
