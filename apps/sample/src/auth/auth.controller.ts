import { Body, Controller, HttpCode, Ip, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  type CandescentLoginRequest,
  type CandescentLoginResponse,
  CandescentSessionCookies,
  CandescentSessionService,
} from '@candescent/auth';
import { DocLogin, DocLogout } from '../docs/route-docs.decorators';
import { LoginDto } from './login.dto';

/**
 * Customer login and logout; the client only ever holds an opaque session token. The same code
 * serves both transports: `CandescentSessionCookies` sets and clears the cookie when the module
 * is configured for it, and shapes the login body.
 */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly sessions: CandescentSessionService,
    private readonly cookies: CandescentSessionCookies,
  ) {}

  /**
   * `{username, password, institution?}` → `{sessionToken, expiresAt, customer}` (cookie
   * transport: cookie + csrfToken). An institution the app does not serve is refused with 400
   * `UNKNOWN_INSTITUTION` before any token request.
   */
  @Post('login')
  @DocLogin()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  async login(
    @Body() body: LoginDto,
    @Ip() ip: string,
    @Req() request: CandescentLoginRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<CandescentLoginResponse> {
    // A session this client still holds ends with the new login (and its tokens are revoked).
    const { username, password, institution } = body;
    const context = this.cookies.loginContext(request, { originatingIp: ip, institution: institution ?? undefined });
    const result = await this.sessions.login({ username, password }, context);
    return this.cookies.loginResponse(response, result);
  }

  /** Ends the session: revokes the customer's Candescent tokens and deletes the session. */
  @Post('logout')
  @DocLogout()
  @HttpCode(204)
  @UseGuards(CandescentAuthGuard)
  async logout(
    @CandescentCustomer('sessionId') sessionId: string,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<void> {
    await this.sessions.logout(sessionId);
    this.cookies.clear(response);
  }
}
