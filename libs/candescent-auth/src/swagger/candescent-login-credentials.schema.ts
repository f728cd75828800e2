import { ApiProperty } from '@nestjs/swagger';
import { CandescentLoginCredentials, MAX_PASSWORD_LENGTH, MAX_USERNAME_LENGTH } from '../token/login-credentials.dto';

/**
 * `CandescentLoginCredentials` with its OpenAPI schema: use it as the login body type so the
 * document lists `username` and `password` (the base class carries validation only, so apps
 * without `@nestjs/swagger` do not need it).
 */
export class CandescentLoginCredentialsSchema extends CandescentLoginCredentials {}

// Applied to the inherited properties; redeclaring the fields would change the class's shape.
ApiProperty({
  description: "The customer's online banking login id.",
  maxLength: MAX_USERNAME_LENGTH,
  minLength: 1,
  example: 'alice',
})(CandescentLoginCredentialsSchema.prototype, 'username');
ApiProperty({
  description: "The customer's password: sent once to Candescent, never stored, never logged.",
  maxLength: MAX_PASSWORD_LENGTH,
  minLength: 1,
  format: 'password',
  example: 'Sandbox-Alice-2026!',
})(CandescentLoginCredentialsSchema.prototype, 'password');
