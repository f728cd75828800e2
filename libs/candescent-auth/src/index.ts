// The public API, small on purpose: what an app uses (the module and its option types, services,
// guard, decorators, errors, the store contract and its implementations) and the types their
// signatures name. Helpers only tests need live in './testing'; everything else stays internal
// (and what is tagged internal is left out of the published declarations), and the API report
// (etc/candescent-auth.api.md) shows every change to this list in review.
//
// Every name carries the Candescent prefix, but for these, named as what they are where they are
// used: `MemoryStore` / `RedisStore` and their options (implementations of `CandescentStore`,
// given to the `store` option or made by the module), and the route decorators
// `RequireCustomerToken`, `RequireInstitution` (they read as a sentence on a route, as Nest's own
// do; `SkipCandescentAuth` and `InjectCandescentStore` name the module because they would be
// ambiguous without it).
export { CandescentAuthModule } from './candescent-auth.module';
export type {
  CandescentAuthModuleAsyncOptions,
  CandescentAuthModuleExtras,
  CandescentAuthOptionsFactory,
} from './candescent-auth.module-definition';
export type {
  CandescentAuthModuleOptions,
  CandescentInstitutionOptions,
  CandescentCircuitBreakerOptions,
  CandescentRedisOptions,
  CandescentRetryOptions,
  CandescentSessionOptions,
} from './options/candescent-auth.options';
export * from './errors/candescent-auth.error';
export { CandescentInstitutions, type CandescentInstitutionInfo } from './institutions/candescent-institutions.service';
export type { CandescentToken, CandescentTokenGrant } from './token/candescent-token.interface';
export type { CandescentCustomerIdentity, CandescentTokenSet } from './token/token-set.interface';
export {
  CandescentTokenService,
  type CandescentInstitutionTokenRequest,
  type CandescentLoginContext,
} from './token/candescent-token.service';
export { CandescentLoginCredentials } from './token/login-credentials.dto';
export { CandescentErrorFilter } from './errors/candescent-error.filter';
export { CandescentHealthIndicator, type CandescentHealthResult } from './health/candescent-health.indicator';
export { CandescentHttpInterceptor, type CandescentAuthMode } from './http/candescent-http.interceptor';
// Also brings the `candescentAuth` request option to axios's ES module declarations.
export type { CandescentAxiosRequestConfig } from './http/axios-request-config.mjs' with {
  'resolution-mode': 'import',
};
export {
  CandescentContext,
  type CandescentIncomingRequest,
  type CandescentRequestContext,
  type CandescentSessionRef,
} from './context/request-context';
export { RequireCustomerToken } from './context/customer-token.decorator';
export { CandescentAuthGuard, type CandescentGuardedRequest } from './session/candescent-auth.guard';
export { CandescentCustomer, type CandescentCustomerView } from './session/candescent-customer.decorator';
export { CandescentSessionService } from './session/candescent-session.service';
export { SkipCandescentAuth } from './session/skip-candescent-auth.decorator';
export { RequireInstitution } from './session/require-institution.decorator';
export {
  CandescentSessionCookies,
  type CandescentLoginRequest,
  type CandescentLoginResponse,
} from './session/candescent-session-cookies.service';
export type { CandescentLoginResult, CandescentSessionLoginContext } from './session/stored-session.interface';
export { CANDESCENT_STORE, type CandescentStore, InjectCandescentStore } from './store/candescent-store.interface';
export { MemoryStore, type MemoryStoreOptions } from './store/memory.store';
export { RedisStore } from './store/redis.store';
export type { RedisStoreOptions } from './store/redis-store.options';
export type {
  CandescentRedisClient,
  CandescentRedisClusterNode,
  CandescentRedisClusterOptions,
} from './store/redis-client.interface';
export type { CandescentRedisTlsOptions } from './store/redis-tls';
export type { CandescentSentinelAddress } from './store/sentinel-address';
export { CandescentHttpService } from './http/candescent-http.providers';
export type { CandescentHttpOptions } from './http/candescent-http.options';
export { CANDESCENT_SPAN_ATTRIBUTES, CANDESCENT_SPAN_NAMES } from './metrics/candescent-tracing';
