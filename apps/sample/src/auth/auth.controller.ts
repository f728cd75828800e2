import { Body, Controller, HttpCode, Ip, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  CandescentLoginCredentials,
  type CandescentLoginRequest,
  type CandescentLoginResponse,
  CandescentSessionCookies,
  CandescentSessionService,
} from '@candescent/auth';
import { DocLogin, DocLogout } from '../docs/route-docs.decorators';

/** Login body: the library's validated credentials class, used as the DTO. */
class LoginBody extends CandescentLoginCredentials {}

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

  /** `{username, password}` → `{sessionToken, expiresAt, customer}` (cookie transport: cookie + csrfToken). */
  @Post('login')
  @DocLogin()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  async login(
    @Body() body: LoginBody,
    @Ip() ip: string,
    @Req() request: CandescentLoginRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<CandescentLoginResponse> {
    // A session this client still holds ends with the new login (and its tokens are revoked).
    const result = await this.sessions.login(body, this.cookies.loginContext(request, { originatingIp: ip }));
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
