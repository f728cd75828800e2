import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { incomingRequest } from '../context/incoming-request';
import { CandescentContext, requestTraceId } from '../context/request-context';
import { CandescentLogger } from '../logging/candescent-logger';
import {
  CandescentAuthError,
  CandescentConfigurationError,
  type CandescentGraphqlErrorExtensions,
} from './candescent-auth.error';

/**
 * What the filter hands a GraphQL driver for a module error: the client's message and the
 * extensions, and no `HttpException` behind it, so a driver's own mapping of HTTP exceptions
 * (Apollo's turns a 429 into `INTERNAL_SERVER_ERROR`) leaves it as it is.
 */
class CandescentGraphqlError extends Error {
  override readonly name = 'CandescentGraphqlError';

  constructor(
    message: string,
    readonly extensions: CandescentGraphqlErrorExtensions,
  ) {
    super(message);
  }
}

/**
 * Answers every `CandescentAuthError` that reaches the HTTP layer with its status and body
 * (`getResponse()`: `statusCode`, `message`, `error`, `errorType`, `errorCode`, `traceId`), and
 * adds `Retry-After` when known, which Nest's default handling would not. In a GraphQL resolver
 * (Apollo or Mercurius driver) it returns the error GraphQL clients get instead: the same
 * message, and `extensions` with `code` (the error code), `status`, `retryAfterSeconds` when
 * known, `errorType` and `traceId`. Registered globally by the module unless
 * `errorFilter: false`; other exceptions are left to Nest.
 */
@Catch(CandescentAuthError)
export class CandescentErrorFilter implements ExceptionFilter {
  private readonly logger = new CandescentLogger('CandescentAuth');

  /** Answers a module error: the HTTP body and `Retry-After`, or for GraphQL the error with its `extensions`. */
  catch(error: CandescentAuthError, host: ArgumentsHost): Error | undefined {
    if (host.getType<string>() === 'graphql') return this.forGraphql(error, host);
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<{
      status?: (code: number) => unknown;
      code?: (code: number) => unknown;
      header: (name: string, value: string) => unknown;
      send: (body: unknown) => unknown;
    }>();
    const body = error.getResponse();
    const traceId = this.clientTraceId(error, host);
    if (error.retryAfterSeconds !== undefined) response.header('Retry-After', String(error.retryAfterSeconds));
    if (typeof response.status === 'function') response.status(error.getStatus());
    else response.code?.(error.getStatus());
    response.send({ ...body, traceId });
    return undefined;
  }

  /** The error for GraphQL clients; graphql-js reports an error a resolver returns as it would a thrown one. */
  private forGraphql(error: CandescentAuthError, host: ArgumentsHost): Error {
    const traceId = this.clientTraceId(error, host);
    return new CandescentGraphqlError(error.getResponse().message, { ...error.extensions, traceId });
  }

  /**
   * The trace id clients are told, logging a configuration error's explanation under it: the
   * client's message says only that the server is misconfigured. An error raised away from
   * the request (a session renewal) still reports the request's trace id.
   */
  private clientTraceId(error: CandescentAuthError, host: ArgumentsHost): string {
    const request = incomingRequest(host);
    const traceId =
      error.traceId ?? (request ? requestTraceId(request) : (CandescentContext.current()?.traceId ?? randomUUID()));
    if (error instanceof CandescentConfigurationError)
      this.logger.error(`Request ${traceId} refused for a configuration problem: ${error.message}`);
    return traceId;
  }
}
