import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';

const own = <K extends keyof InternalAxiosRequestConfig>(config: InternalAxiosRequestConfig, key: K) =>
  Object.prototype.hasOwnProperty.call(config, key) ? config[key] : undefined;

/**
 * Where axios will send a request, decided by axios itself: `getUri` joins `baseURL`, `url`
 * and `allowAbsoluteUrls` exactly as the adapters do (an absolute `url` is appended to the
 * base when absolute URLs are not allowed, for instance). A URL parser of our own would differ
 * from axios on some input, and that difference is where a token would leak. Like the adapters,
 * only the config's own fields count, so a polluted `Object.prototype` cannot steer the answer.
 *
 * @returns undefined when the request goes to a Unix socket or has no absolute URL (axios then
 *   fails it too): such a request is never the Candescent origin.
 */
export function requestDestination(instance: AxiosInstance, config: InternalAxiosRequestConfig): URL | undefined {
  if (own(config, 'socketPath')) return undefined;
  try {
    return new URL(
      instance.getUri({
        // An empty base, not undefined: getUri would otherwise fall back to the instance default.
        baseURL: own(config, 'baseURL') ?? '',
        url: own(config, 'url'),
        allowAbsoluteUrls: own(config, 'allowAbsoluteUrls'),
        params: own(config, 'params') as unknown,
        paramsSerializer: own(config, 'paramsSerializer'),
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * Whether axios will send the request with its fetch adapter. That adapter follows redirects
 * inside `fetch`, where no hook can remove Candescent headers before the next hop, so the
 * module refuses to attach credentials to it.
 */
export function usesFetchAdapter(config: InternalAxiosRequestConfig): boolean {
  try {
    const chosen = axios.getAdapter(config.adapter, config);
    return chosen === axios.getAdapter('fetch', config);
  } catch {
    // No usable adapter: axios fails the request itself.
    return false;
  }
}
