import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';

/** Injection token of {@link BackOfficeSettings}. */
export const BACK_OFFICE = Symbol('BACK_OFFICE');

/** Who may call the institution-token routes. */
export interface BackOfficeSettings {
  /** `SAMPLE_BACKOFFICE_KEY`: when set, callers must send it as `X-Api-Key`. */
  apiKey?: string;
  /** Without a key the routes are open only on the embedded sandbox (demo data). */
  embeddedSandbox: boolean;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Institution-token calls name the customer in the query (`loginId`), so whoever can call them
 * can read any customer's accounts: they are for back-office callers, never for end users.
 */
@Injectable()
export class BackOfficeGuard implements CanActivate {
  private readonly logger = new Logger('BackOfficeGuard');

  constructor(@Inject(BACK_OFFICE) private readonly settings: BackOfficeSettings) {}

  canActivate(execution: ExecutionContext): boolean {
    const { apiKey, embeddedSandbox } = this.settings;
    if (apiKey === undefined) {
      if (embeddedSandbox) return true;
      // The fix is the operator's, so the hint goes to the log, not to whoever called.
      this.logger.warn(
        'An institution route was called, and they are closed against a real Candescent environment: set SAMPLE_BACKOFFICE_KEY and send it as X-Api-Key.',
      );
      throw new ForbiddenException('Institution routes are closed.');
    }
    const sent = execution.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-api-key'];
    if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), digest(apiKey))) {
      throw new UnauthorizedException('Send the back-office key as X-Api-Key.');
    }
    return true;
  }
}
