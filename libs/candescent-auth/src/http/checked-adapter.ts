import axios, { type AxiosAdapter, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import { CandescentContext } from '../context/request-context';
import { refused } from './request-refusals';

const INNER = Symbol('checkedAdapterInner');
type CheckedAdapter = AxiosAdapter & { [INNER]: AxiosRequestConfig['adapter'] };

/**
 * An adapter that runs `check` on a request as axios is about to send it, and then sends it with
 * the adapter axios would have used. The module's request interceptor is not the last word on a
 * request: axios runs interceptors registered before the module's after it, and transformRequest
 * after all of them. `check` sees the config after every one of them; when it throws, the call
 * fails with that error and nothing is sent. A request sent with the fetch adapter is refused
 * here as in the interceptor (see `usesFetchAdapter`).
 */
export function checkedAdapter(
  adapter: AxiosRequestConfig['adapter'],
  check: (sending: InternalAxiosRequestConfig) => void,
): AxiosAdapter {
  // A config sent again (an app-level retry of `error.config`) carries this adapter: check once.
  const inner = isChecked(adapter) ? adapter[INNER] : adapter;
  // Async, so a refusal rejects the dispatch as an adapter's failure does, not a throw.
  const checked = async (sending: InternalAxiosRequestConfig) => {
    // The choice dispatchRequest makes (`||`, so a null adapter means the default too).
    const send = axios.getAdapter(inner || axios.defaults.adapter, sending);
    if (isFetch(send, sending)) throw refused('fetch-adapter', CandescentContext.current()?.traceId);
    check(sending);
    return send(sending);
  };
  return Object.assign(checked, { [INNER]: inner });
}

function isChecked(adapter: AxiosRequestConfig['adapter']): adapter is CheckedAdapter {
  return typeof adapter === 'function' && INNER in adapter;
}

/** Node's adapter, the one axios picks by default here: one comparison spares asking for the fetch adapter. */
const HTTP_ADAPTER: AxiosAdapter | undefined = (() => {
  try {
    return axios.getAdapter('http');
  } catch {
    return undefined;
  }
})();

export function isFetch(send: AxiosAdapter, config: InternalAxiosRequestConfig): boolean {
  if (send === HTTP_ADAPTER) return false;
  try {
    return send === axios.getAdapter('fetch', config);
  } catch {
    return false;
  }
}
