import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  type CandescentLoginRequest,
  type CandescentLoginResponse,
  CandescentSessionCookies,
  CandescentSessionService,
  type CandescentLoginResult,
} from '@candescent/auth';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly sessions: CandescentSessionService,
    private readonly cookies: CandescentSessionCookies,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Req() request: CandescentLoginRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<CandescentLoginResponse> {
    const result: CandescentLoginResult = await this.sessions.login(body, this.cookies.loginContext(request));
    return this.cookies.loginResponse(response, result);
  }

  @Post('logout')
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
