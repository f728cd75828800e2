// `@candescent/auth/swagger`: OpenAPI helpers. The only part of the library that needs
// `@nestjs/swagger`, so apps without it never load it.
export { ApiCandescentAuth, type ApiCandescentAuthOptions } from './api-candescent-auth.decorator';
export { CandescentErrorBodySchema } from './candescent-error-body.schema';
export { CandescentLoginCredentialsSchema } from './candescent-login-credentials.schema';
export {
  addCandescentSecuritySchemes,
  CANDESCENT_BEARER_SCHEME,
  CANDESCENT_COOKIE_SCHEME,
  CANDESCENT_CSRF_SCHEME,
  type CandescentSecuritySchemeOptions,
} from './candescent-security.schemes';
// The main entry point's class that `CandescentLoginCredentialsSchema` extends, so this entry point reads on its own.
export type { CandescentLoginCredentials } from '../token/login-credentials.dto';
