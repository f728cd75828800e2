import { AxiosHeaders, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';

const IDEMPOTENT = new Set(['get', 'head', 'options', 'put', 'delete']);

/**
 * A copy of a request as it reached the interceptor, before axios serialised the body, set
 * `Content-Length` or followed a redirect. A replay is sent from this copy, never from the
 * config of the failed attempt: that one has its body already encoded (and consumed, for a
 * stream) and a length that belonged to the first attempt. The body is the caller's own value,
 * so axios encodes it and measures it again; the abort signal and cancel token are kept, so
 * the caller can still abort the replay.
 */
export function snapshotForReplay(config: InternalAxiosRequestConfig): AxiosRequestConfig {
  return { ...config, headers: new AxiosHeaders(config.headers) };
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

function isOneShotBody(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return true; // node streams, the form-data package
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return true;
  return Symbol.asyncIterator in data;
}
