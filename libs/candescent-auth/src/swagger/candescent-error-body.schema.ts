import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The JSON body of every error answer: the module's errors (`CandescentErrorFilter`) and, with
 * fewer fields, Nest's own HTTP exceptions (validation, throttling).
 */
export class CandescentErrorBodySchema {
  /** The HTTP status, repeated in the body. */
  @ApiProperty({ description: 'The HTTP status, repeated in the body.', example: 401 })
  statusCode!: number;

  /** The error class (module errors) or the status text. */
  @ApiPropertyOptional({
    description: 'The error class (module errors) or the status text.',
    example: 'CandescentSessionRejectedError',
  })
  error?: string;

  /** Candescent's error type or the module's own. */
  @ApiPropertyOptional({
    description: "Candescent's error type or the module's own (`USER_ERROR`, `SYSTEM_ERROR`, `APP_ERROR`).",
    example: 'USER_ERROR',
  })
  errorType?: string;

  /** Candescent's error code or the module's own; stable, meant for programs. */
  @ApiPropertyOptional({
    description: "Candescent's error code or the module's own; stable, meant for programs.",
    example: 'SESSION_EXPIRED',
  })
  errorCode?: string;

  /** What went wrong and what to do; validation errors list one message per problem. */
  @ApiProperty({
    description:
      'What went wrong and what to do; never holds a secret. Validation errors list one message per problem.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'The session has expired; log in again.',
  })
  message!: string | string[];

  /** The trace id of the request, for support. */
  @ApiPropertyOptional({
    description: 'The trace id of the request (`di_tid` / `transactionId` upstream), for support.',
    format: 'uuid',
  })
  traceId?: string;
}
