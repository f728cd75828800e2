import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The customer a session belongs to, as login returns it. */
export class CustomerSchema {
  @ApiProperty({ example: '00042' }) fiId!: string;
  @ApiProperty({ example: 'alice' }) loginId!: string;
  @ApiPropertyOptional({ description: '`di_ficustomer`, from the V1 token response.' }) fiCustomerId?: string;
  @ApiPropertyOptional({ description: 'From the V1 token response.' }) memberNumber?: string;
  @ApiPropertyOptional({
    example: 'cu-north',
    description: 'The institution logged in at; left out when the app serves one FI from the single-FI variables.',
  })
  institution?: string;
}

/** `POST /auth/login` answer. */
export class LoginResponseSchema {
  @ApiPropertyOptional({
    description:
      'Bearer transport only: the opaque session token. With the cookie transport it is set as an HttpOnly cookie instead.',
  })
  sessionToken?: string;

  @ApiPropertyOptional({
    description: 'Cookie transport only: send it back in X-CSRF-Token on every POST, PUT, PATCH and DELETE.',
  })
  csrfToken?: string;

  @ApiProperty({ format: 'date-time', description: 'When the session ends unless it is used.' })
  expiresAt!: string;

  @ApiProperty({ type: CustomerSchema }) customer!: CustomerSchema;
}

/** `GET /me` answer. */
export class MeResponseSchema {
  @ApiProperty({
    example: 'cu-north',
    description: "The session's institution (`default` when the app serves one FI from the single-FI variables).",
  })
  institution!: string;

  @ApiProperty({ nullable: true, type: String }) fiCustomerId!: string | null;
  @ApiProperty({ example: '00042' }) fiId!: string;
  @ApiProperty({ nullable: true, type: String }) memberNumber!: string | null;
  @ApiProperty({ example: 'alice' }) loginId!: string;
}

/** `GET /accounts` and `GET /institution/accounts` answer. */
export class AccountsResponseSchema {
  @ApiPropertyOptional({ example: 'cu-north', description: '`GET /institution/accounts`: whose token was used.' })
  institution?: string;

  @ApiProperty({ enum: ['v1', 'v2'] }) service!: 'v1' | 'v2';
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The upstream payload as Candescent sent it.',
  })
  accounts!: Record<string, unknown>;
}

/** `GET /institution/status` answer; never the token itself. */
export class InstitutionStatusSchema {
  @ApiProperty({ example: 'cu-north' }) institution!: string;
  @ApiProperty() held!: boolean;
  @ApiProperty({ enum: ['v1', 'v2'] }) service!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

/** One entry of `GET /institutions`. */
export class InstitutionSchema {
  @ApiProperty({ example: 'cu-north' }) id!: string;
  @ApiProperty({ example: '00042' }) fiId!: string;
}

/** `GET /institutions` answer. */
export class InstitutionListSchema {
  @ApiProperty({ example: 'cu-north', description: 'What a login that names no institution uses.' })
  defaultInstitution!: string;

  @ApiProperty({ type: [InstitutionSchema] }) institutions!: InstitutionSchema[];
}
