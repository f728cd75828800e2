import { Body, Controller, ForbiddenException, Headers, HttpCode, Ip, Post, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  CandescentLoginCredentials,
  CandescentSessionService,
  InjectCandescentAuthOptions,
  presentedSessionTokens,
  type ResolvedCandescentAuthOptions,
  sessionCookie,
} from '@candescent/auth';
import { DocLogin, DocLogout } from '../docs/route-docs.decorators';

/** Login body: the library's validated credentials class, used as the DTO. */
class LoginBody extends CandescentLoginCredentials {}

/** Customer login and logout; the client only ever holds an opaque session token. */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly sessions: CandescentSessionService,
    @InjectCandescentAuthOptions() private readonly options: ResolvedCandescentAuthOptions,
  ) {}

  /** `{username, password}` → `{sessionToken, expiresAt, customer}` (cookie transport: cookie + csrfToken). */
  @Post('login')
  @DocLogin()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  async login(
    @Body() body: LoginBody,
    @Ip() ip: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (this.options.session.transport === 'cookie' && headers['sec-fetch-site'] === 'cross-site') {
      throw new ForbiddenException('Cross-site login refused: log in from this site.');
    }
    // A session this client still holds ends with the new login (and its tokens are revoked).
    const result = await this.sessions.login(body, {
      originatingIp: ip,
      presentedSessionTokens: presentedSessionTokens(headers, this.options),
    });
    const expiresAt = new Date(result.expiresAt).toISOString();
    if (this.options.session.transport === 'cookie') {
      res.setHeader('Set-Cookie', sessionCookie(this.options, result.sessionToken, result.absoluteExpiresAt));
      return { expiresAt, csrfToken: result.csrfToken, customer: result.customer };
    }
    return { sessionToken: result.sessionToken, expiresAt, customer: result.customer };
  }

  /** Ends the session: revokes the customer's Candescent tokens and deletes the session. */
  @Post('logout')
  @DocLogout()
  @HttpCode(204)
  @UseGuards(CandescentAuthGuard)
  async logout(
    @CandescentCustomer('sessionId') sessionId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.sessions.logout(sessionId);
    if (this.options.session.transport === 'cookie')
      res.setHeader('Set-Cookie', sessionCookie(this.options, '', undefined));
  }
}
