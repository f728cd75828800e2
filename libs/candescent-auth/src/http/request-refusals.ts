import { CandescentConfigurationError } from '../errors/candescent-auth.error';

/** Candescent calls the interceptor will not put credentials on, each with what to do instead. */
const REFUSALS = {
  'fetch-adapter': {
    field: 'adapter',
    expected: "axios's http adapter",
    errorCode: 'FETCH_ADAPTER_REFUSED',
    message:
      "Candescent calls cannot use axios's fetch adapter: it follows redirects where the module cannot remove the Candescent credentials first. Use the http adapter (axios's default on Node.js) for this instance or request.",
  },
  'basic-auth': {
    field: 'url',
    expected: 'no user name or password in the URL and no `auth` option',
    errorCode: 'BASIC_AUTH_REFUSED',
    message:
      'This Candescent call has a user name or password in its URL, or an `auth` option, which axios would send in place of the Candescent token. Remove them; the module authenticates Candescent calls itself.',
  },
  'destination-changed': {
    field: 'url',
    expected: 'the Candescent origin and token service the credentials were attached for',
    errorCode: 'DESTINATION_CHANGED',
    message:
      "A request interceptor that runs after the module's (axios runs the last registered first, so one registered before the module attached, e.g. in a provider's constructor) changed this Candescent call's baseURL, url or params: it now goes to another origin, or to a path of the other token service. Nothing was sent. Set the destination in the request itself, or register that interceptor after the module's (e.g. in onApplicationBootstrap).",
  },
} as const;

/** The error for a refused Candescent call; nothing has been sent. */
export function refused(why: keyof typeof REFUSALS, traceId: string | undefined): CandescentConfigurationError {
  const { field, expected, errorCode, message } = REFUSALS[why];
  return new CandescentConfigurationError(message, [{ field, expected }], { traceId, errorCode });
}
