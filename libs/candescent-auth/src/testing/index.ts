// `@candescent/auth/testing`: what an app's own tests need, and nothing the app itself uses.
// `@candescent/sandbox` is an optional peer of `@candescent/auth`; install it (as a dev
// dependency) to use this entry point.
export {
  CandescentTesting,
  type CandescentOverridableBuilder,
  type CandescentTestingOptions,
  type CandescentTestSession,
} from './candescent-testing';
export { CandescentTestClock } from './candescent-test-clock';
export { CandescentClock } from '../token/candescent-clock';
export { CANDESCENT_AUTH_MODULE_OPTIONS } from './options-token';
export { CANDESCENT_STORE } from '../store/candescent-store.interface';
export { checkCandescentAuthOptions } from './check-options';
// The sandbox itself, and what its demo data and faults are described with (the rest of
// `@candescent/sandbox` is imported from there).
export {
  CandescentSandbox,
  DEMO_CUSTOMERS,
  type SandboxCustomer,
  type SandboxFault,
  type SandboxOptions,
} from '@candescent/sandbox';
// Types of the main entry point that this one's signatures name, so this entry point's API
// report reads on its own (the same declarations, not copies).
export type {
  CandescentAuthModuleOptions,
  CandescentCircuitBreakerOptions,
  CandescentInstitutionOptions,
  CandescentRedisOptions,
  CandescentRetryOptions,
  CandescentSessionOptions,
} from '../options/candescent-auth.options';
export type { CandescentCustomerIdentity } from '../token/token-set.interface';
export type { CandescentHttpOptions } from '../http/candescent-http.options';
export type { CandescentLoginRequest } from '../session/candescent-session-cookies.service';
export type { CandescentService } from '../token/candescent-service';
export type { CandescentStore } from '../store/candescent-store.interface';
export type {
  CandescentRedisClient,
  CandescentRedisClusterNode,
  CandescentRedisClusterOptions,
} from '../store/redis-client.interface';
export type { CandescentRedisTlsOptions } from '../store/redis-tls';
export type { CandescentSentinelAddress } from '../store/sentinel-address';
