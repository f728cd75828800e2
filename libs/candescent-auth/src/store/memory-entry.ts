/**
 * How the memory store holds a value: one flat string, the expiry time first (the 8 bytes of a
 * float64, one character each) and then the value. An object with the value and a boxed number
 * would cost about 56 bytes more per value, some 7% of an open session; characters 0-255 keep a
 * one-byte string one byte per character.
 */
export type MemoryEntry = string & { readonly __memoryEntry: true };

const EXPIRY_CHARS = 8;
const expiry = new Float64Array(1);
const expiryBytes = new Uint8Array(expiry.buffer);

/** The entry of `value`, expiring at `expiresAt` (ms, the store's clock). */
export function memoryEntry(value: string, expiresAt: number): MemoryEntry {
  expiry[0] = expiresAt;
  const b = expiryBytes;
  return flat(String.fromCharCode(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]) + value) as MemoryEntry;
}

/** When the entry expires (ms, the store's clock). */
export function expiresAt(entry: MemoryEntry): number {
  for (let i = 0; i < EXPIRY_CHARS; i++) expiryBytes[i] = entry.charCodeAt(i);
  return expiry[0];
}

/** The value, exactly as written. */
export function valueOf(entry: MemoryEntry): string {
  return entry.slice(EXPIRY_CHARS);
}

/**
 * The same text, stored flat. V8 builds a long string (`JSON.stringify`'s output, a concatenation)
 * as a tree of pieces that takes about a quarter more memory than the text: some 190 bytes for
 * a session's value. Converting it to a number (the result is not used) flattens the string in
 * place, and the garbage collector then drops the pieces. One copy at a write, for values that
 * stay for hours.
 */
function flat(text: string): string {
  Number(text);
  return text;
}
