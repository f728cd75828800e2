import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { requestTraceId, type TraceCarrier } from '../context/request-context';
import { CandescentLogger } from '../logging/candescent-logger';
import { CandescentAuthError, CandescentConfigurationError } from './candescent-auth.error';

/**
 * Answers every `CandescentAuthError` that reaches the HTTP layer with its status and body
 * (`getResponse()`: `statusCode`, `message`, `error`, `errorType`, `errorCode`, `traceId`), and
 * adds `Retry-After` when known, which Nest's default handling would not. Registered globally
 * by the module unless `errorFilter: false`; other exceptions are left to Nest.
 */
@Catch(CandescentAuthError)
export class CandescentErrorFilter implements ExceptionFilter {
  private readonly logger = new CandescentLogger('CandescentAuth');

  catch(error: CandescentAuthError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<{
      status?: (code: number) => unknown;
      code?: (code: number) => unknown;
      header: (name: string, value: string) => unknown;
      send: (body: unknown) => unknown;
    }>();
    const body = error.getResponse();
    // An error raised away from the request (a session renewal) still reports the request's trace id.
    const traceId = body.traceId ?? requestTraceId(host.switchToHttp().getRequest<TraceCarrier>());
    // The client's body says only that the server is misconfigured; the explanation is for operators.
    if (error instanceof CandescentConfigurationError)
      this.logger.error(`Request ${traceId} refused for a configuration problem: ${error.message}`);
    if (error.retryAfterSeconds !== undefined) response.header('Retry-After', String(error.retryAfterSeconds));
    if (typeof response.status === 'function') response.status(error.getStatus());
    else response.code?.(error.getStatus());
    response.send({ ...body, traceId });
  }
}
