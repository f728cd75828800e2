import { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AxiosProxyConfig } from 'axios';

/**
 * Connection settings of the module's axios instances (the `http` option). They apply alike to
 * token requests and to calls through `CandescentHttpService`: both go to the Candescent gateway.
 * A banking call's own axios config (`httpsAgent`, `proxy`) replaces them for that call; token
 * requests always use these.
 */
export interface CandescentHttpOptions {
  /**
   * The agent for `https` gateways: a client certificate for mutual TLS (`cert`, `key`), a
   * private CA (`ca`), keep-alive and socket limits, or a proxy agent library's agent.
   * @default Node's global https agent
   */
  httpsAgent?: HttpsAgent;
  /**
   * The agent for `http` gateways (only loopback ones are allowed: the sandbox, a local stand-in).
   * @default Node's global http agent
   */
  httpAgent?: HttpAgent;
  /**
   * An HTTP proxy for every request, as axios takes it (`{ protocol, host, port, auth }`), or
   * `false` to ignore the `HTTP_PROXY` / `HTTPS_PROXY` environment variables.
   * @default axios's own handling: the environment's HTTP_PROXY, HTTPS_PROXY and NO_PROXY
   */
  proxy?: AxiosProxyConfig | false;
}

/** What `http` must be, for the start-up error. */
export const HTTP_OPTIONS_EXPECTED =
  'an object with any of httpsAgent and httpAgent (node:https / node:http Agent instances) and proxy (axios proxy settings { protocol, host, port } or false)';

const HTTP_OPTION_KEYS = new Set(['httpsAgent', 'httpAgent', 'proxy']);

/** Whether `http` is usable; the values are the app's objects and are passed on as they are. */
export function httpOptionsValid(http: unknown): boolean {
  if (http === undefined) return true;
  if (http === null || typeof http !== 'object' || Array.isArray(http)) return false;
  const { httpsAgent, httpAgent, proxy } = http as Record<string, unknown>;
  if (Object.keys(http).some((key) => !HTTP_OPTION_KEYS.has(key))) return false;
  // An https.Agent is an http.Agent too, and so are the agents of proxy-agent libraries.
  const agentOk = (agent: unknown) => agent === undefined || agent instanceof HttpAgent;
  const proxyOk =
    proxy === undefined ||
    proxy === false ||
    (typeof proxy === 'object' &&
      proxy !== null &&
      typeof (proxy as { host?: unknown }).host === 'string' &&
      Number.isInteger((proxy as { port?: unknown }).port));
  return agentOk(httpsAgent) && agentOk(httpAgent) && proxyOk;
}

/** The settings to spread into `axios.create`, only those given. */
export function axiosConnectionSettings(http: CandescentHttpOptions | undefined): CandescentHttpOptions {
  if (!http) return {};
  const { httpsAgent, httpAgent, proxy } = http;
  return {
    ...(httpsAgent === undefined ? {} : { httpsAgent }),
    ...(httpAgent === undefined ? {} : { httpAgent }),
    ...(proxy === undefined ? {} : { proxy }),
  };
}
