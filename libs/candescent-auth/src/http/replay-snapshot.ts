import { AxiosHeaders, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
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
  return { ...config, headers: new AxiosHeaders(config.headers) };
}

/** What the first attempt of a Candescent call put on the wire, for its replay. */
export interface SentRequest {
  /** The body after transformRequest, copied where the caller could still change it. */
  readonly data: unknown;
  /** The headers after every interceptor and transform, without the Candescent ones. */
  readonly headers: InternalAxiosRequestConfig['headers'];
}

/**
 * Records a request as axios hands it to the adapter. The replay sends these bytes, not the
 * caller's body object again: that object may have changed since (axios copies only a plain
 * object's own plain-object levels, not a class instance or the objects in an array), and a deep
 * copy taken before the first send would miss what transformRequest made of it. Nothing of the
 * caller's is changed.
 */
export function sentRequest(config: InternalAxiosRequestConfig): SentRequest {
  const headers = new AxiosHeaders(config.headers);
  for (const name of CANDESCENT_HEADER_NAMES) headers.delete(name);
  return { data: copyOfBody(config.data), headers };
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
    headers: new AxiosHeaders(sent.headers),
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
