import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { isFetch } from './checked-adapter';

const own = <K extends keyof InternalAxiosRequestConfig>(config: InternalAxiosRequestConfig, key: K) =>
  Object.prototype.hasOwnProperty.call(config, key) ? config[key] : undefined;

/** The parts of a request's destination the interceptor reads. */
export type RequestDestination = Readonly<Pick<URL, 'href' | 'origin' | 'username' | 'password' | 'pathname'>>;

/** Answers of `getUri` kept per exact input; cleared when full, so any set of URLs stays bounded. */
const ANSWERS_MAX = 1_000;
const answers = new Map<string, RequestDestination | undefined>();

/**
 * Where axios will send a request, decided by axios itself: `getUri` joins `baseURL`, `url`
 * and `allowAbsoluteUrls` exactly as the adapters do (an absolute `url` is appended to the
 * base when absolute URLs are not allowed, for instance). A URL parser of our own would differ
 * from axios on some input, and that difference is where a token would leak. Like the adapters,
 * only the config's own fields count, so a polluted `Object.prototype` cannot steer the answer.
 *
 * `getUri` merges the whole config with the instance defaults on every call, which is most of
 * this function's cost. Without query parameters (on the request or the instance) its answer
 * depends on nothing but the base URL, the URL and `allowAbsoluteUrls`, all strings or
 * booleans: that answer is kept under exactly those three values and reused. Anything else
 * (parameters, a URL object, a flag left unset) asks `getUri` every time.
 *
 * @returns undefined when the request goes to a Unix socket or has no absolute URL (axios then
 *   fails it too): such a request is never the Candescent origin.
 */
export function requestDestination(
  instance: AxiosInstance,
  config: InternalAxiosRequestConfig,
): RequestDestination | undefined {
  if (own(config, 'socketPath')) return undefined;
  // An empty base, not undefined: getUri would otherwise fall back to the instance default.
  const baseURL = own(config, 'baseURL') ?? '';
  const url = own(config, 'url');
  const allowAbsoluteUrls = own(config, 'allowAbsoluteUrls');
  const params = own(config, 'params') as unknown;
  const key =
    params === undefined &&
    instance.defaults.params == null &&
    typeof baseURL === 'string' &&
    typeof url === 'string' &&
    typeof allowAbsoluteUrls === 'boolean'
      ? `${allowAbsoluteUrls ? 't' : 'f'}${baseURL.length}:${baseURL}${url}`
      : undefined;
  if (key !== undefined && answers.has(key)) return answers.get(key);
  const answer = askAxios(instance, {
    baseURL,
    url,
    allowAbsoluteUrls,
    params,
    paramsSerializer: own(config, 'paramsSerializer'),
  });
  if (key !== undefined) {
    if (answers.size >= ANSWERS_MAX) answers.clear();
    answers.set(key, answer);
  }
  return answer;
}

function askAxios(
  instance: AxiosInstance,
  parts: Pick<InternalAxiosRequestConfig, 'baseURL' | 'url' | 'allowAbsoluteUrls' | 'params' | 'paramsSerializer'>,
): RequestDestination | undefined {
  try {
    const { href, origin, username, password, pathname } = new URL(instance.getUri(parts));
    // Frozen: one answer may serve many requests.
    return Object.freeze({ href, origin, username, password, pathname });
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
    return isFetch(axios.getAdapter(config.adapter, config), config);
  } catch {
    // No usable adapter: axios fails the request itself.
    return false;
  }
}
