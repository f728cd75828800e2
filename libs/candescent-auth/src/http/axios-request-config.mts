/**
 * The module's request options (`candescentAuth`, `candescentRawErrors`) again, for apps whose axios types are its ES module
 * declarations (axios ships one file for `require` and one for `import`; Nest 12's
 * `@nestjs/axios` and ES module apps see the latter). The CommonJS one is augmented beside the
 * interceptor; this file is ES module, so its `declare module 'axios'` reaches the other.
 */
import type { AxiosRequestConfig } from 'axios';
import type { CandescentAuthMode } from './candescent-http.interceptor.js';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** See {@link CandescentAuthMode}; `auto` (the default) picks the token by request context. */
    candescentAuth?: CandescentAuthMode;
    /** Set by the module on its one replay after a 401; never set it yourself. */
    candescentReplay?: boolean;
    /** The axios error itself instead of a module error when the call fails. @default false */
    candescentRawErrors?: boolean;
    /** The institution (its id) a call is for. @default the customer's, else the first */
    candescentInstitution?: string;
  }
}

/** axios's request config with the module's options, as ES module apps see it. */
export type CandescentAxiosRequestConfig = AxiosRequestConfig;
