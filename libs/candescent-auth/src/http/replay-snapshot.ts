import {
  AxiosHeaders,
  type AxiosHeaderValue,
  type AxiosRequestConfig,
  type InternalAxiosRequestConfig,
  type RawAxiosRequestHeaders,
} from 'axios';
import { CANDESCENT_HEADER_NAMES } from './candescent-headers';

const IDEMPOTENT = new Set(['get', 'head', 'options', 'put', 'delete']);

/**
 * A copy of a request as it reached the interceptor, before axios serialised the body, set
 * `Content-Length` or followed a redirect. A replay is sent from this copy, never from the
 * config of the failed attempt: that one has a length that belonged to the first attempt and
 * the module's own redirect hook. The abort signal and cancel token are kept, so the caller can
 * still abort the replay. The body and headers come from {@link SentRequest}.
 */
export function snapshotForReplay(config: InternalAxiosRequestConfig): AxiosRequestConfig {
  const copy = ownFields(config);
  copy.headers = headersCopy(config.headers);
  return copy as AxiosRequestConfig;
}

/**
 * What `{ ...config }` gives (own enumerable fields, symbols included), as a plain object that
 * spreads fast. The config axios hands to interceptors is a dictionary-mode object that V8 spreads
 * four times slower than it reads key by key, and this copy is taken on every Candescent call.
 */
function ownFields(config: InternalAxiosRequestConfig): Record<string | symbol, unknown> {
  const copy: Record<string | symbol, unknown> = {};
  const fields = config as unknown as Record<string | symbol, unknown>;
  for (const key of Object.keys(fields)) copy[key] = fields[key];
  for (const key of Object.getOwnPropertySymbols(fields))
    if (Object.prototype.propertyIsEnumerable.call(fields, key)) copy[key] = fields[key];
  return copy;
}

/** What the first attempt of a Candescent call put on the wire, for its replay. */
export interface SentRequest {
  /** The body after transformRequest, copied where the caller could still change it. */
  readonly data: unknown;
  /** The headers after every interceptor and transform, without the Candescent ones. */
  readonly headers: RawAxiosRequestHeaders;
}

/**
 * Records a request as axios hands it to the adapter. The replay sends these bytes, not the
 * caller's body object again: that object may have changed since (axios copies only a plain
 * object's own plain-object levels, not a class instance or the objects in an array), and a deep
 * copy taken before the first send would miss what transformRequest made of it. Nothing of the
 * caller's is changed.
 */
export function sentRequest(config: InternalAxiosRequestConfig): SentRequest {
  return { data: copyOfBody(config.data), headers: headersCopy(config.headers, CANDESCENT_HEADER_NAMES) };
}

/**
 * The headers as a plain object, every name as it was set and every value as it is (`false`, which
 * tells axios not to send a header, included), without those in `leaveOut` (lower case). Read
 * straight from the own properties, where `AxiosHeaders` keeps them: a new `AxiosHeaders` would
 * check and normalise every name and value again, on every call, for a copy only a replay reads.
 */
function headersCopy(
  headers: InternalAxiosRequestConfig['headers'],
  leaveOut?: ReadonlySet<string>,
): RawAxiosRequestHeaders {
  const copy: Record<string, AxiosHeaderValue> = {};
  for (const name of Object.keys(headers)) {
    if (leaveOut?.has(name.toLowerCase())) continue;
    copy[name] = headers[name] as AxiosHeaderValue;
  }
  return copy;
}

/**
 * The replay of a request refused with a 401: the snapshot, with the body and headers the first
 * attempt sent. Its transformRequest passes that body on as it is: transforming it again would
 * change it (a JSON string is trimmed, a custom transform would apply twice). Without a record
 * (an interceptor gave the request an adapter of its own), the snapshot as it is.
 */
export function replayOf(original: AxiosRequestConfig, sent: SentRequest | undefined): AxiosRequestConfig {
  if (!sent) return { ...original, candescentReplay: true };
  return {
    ...original,
    data: sent.data,
    headers: { ...sent.headers },
    transformRequest: [asSent],
    candescentReplay: true,
  };
}

function asSent(data: unknown): unknown {
  return data;
}

/** Why a request may not be sent a second time, or undefined when it may. */
export type NotReplayable = 'not-idempotent' | 'stream-body';

/**
 * A request may be replayed when sending it twice cannot repeat a side effect (an idempotent
 * method, or an `Idempotency-Key` the server deduplicates on) and its body can be sent again:
 * a stream has been read by the first attempt and cannot.
 */
export function whyNotReplayable(config: AxiosRequestConfig): NotReplayable | undefined {
  const headers = AxiosHeaders.from(config.headers as Parameters<typeof AxiosHeaders.from>[0]);
  if (!IDEMPOTENT.has((config.method ?? 'get').toLowerCase()) && !headers.get('Idempotency-Key'))
    return 'not-idempotent';
  return isOneShotBody(config.data) ? 'stream-body' : undefined;
}

/** A body after transformRequest, copied when it is mutable; strings and Blobs are not, streams are never replayed. */
function copyOfBody(data: unknown): unknown {
  if (Buffer.isBuffer(data)) return Buffer.from(data);
  if (data instanceof ArrayBuffer) return data.slice(0);
  if (ArrayBuffer.isView(data)) return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (data instanceof URLSearchParams) return new URLSearchParams(data);
  if (data instanceof FormData) {
    const copy = new FormData();
    for (const [name, value] of data) copy.append(name, value);
    return copy;
  }
  return data;
}

function isOneShotBody(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return true; // node streams, the form-data package
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return true;
  return Symbol.asyncIterator in data;
}
