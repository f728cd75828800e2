import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { traceIdFrom } from '../context/request-context';
import { CandescentAuthError } from './candescent-auth.error';

/**
 * Answers every `CandescentAuthError` that reaches the HTTP layer with its status and its
 * stable JSON body (`statusCode`, `error`, `errorType`, `errorCode`, `message`, `traceId`), and
 * `Retry-After` when known. Registered by the module; other exceptions are left to Nest.
 */
@Catch(CandescentAuthError)
export class CandescentErrorFilter implements ExceptionFilter {
  catch(error: CandescentAuthError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<{
      status?: (code: number) => unknown;
      code?: (code: number) => unknown;
      header: (name: string, value: string) => unknown;
      send: (body: unknown) => unknown;
    }>();
    const { statusCode, error: name, errorType, errorCode, message, retryAfterSeconds, ...rest } = error.toJSON();
    // An error raised away from the request (a session renewal) still reports the request's trace id.
    const traceId = rest.traceId ?? traceIdFrom(host.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>());
    if (retryAfterSeconds !== undefined) response.header('Retry-After', String(retryAfterSeconds));
    if (typeof response.status === 'function') response.status(statusCode);
    else response.code?.(statusCode);
    response.send({ statusCode, error: name, errorType, errorCode, message, traceId });
  }
}
