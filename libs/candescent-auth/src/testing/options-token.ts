import { CANDESCENT_AUTH_MODULE_OPTIONS as MODULE_OPTIONS_TOKEN } from '../candescent-auth.module-definition';

/**
 * Injection token of the module options as the app gives them (`forRoot`'s argument, or what
 * `forRootAsync`'s factory returns), for `Test.createTestingModule(...).overrideProvider(...)`.
 * `CandescentTesting.override` uses it.
 */
export const CANDESCENT_AUTH_MODULE_OPTIONS: string | symbol = MODULE_OPTIONS_TOKEN;
