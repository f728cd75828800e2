import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  CandescentSessionService,
  type CandescentLoginResult,
} from '@candescent/auth';

@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: CandescentSessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown): Promise<{ sessionToken: string }> {
    const result: CandescentLoginResult = await this.sessions.login(body);
    return { sessionToken: result.sessionToken };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(CandescentAuthGuard)
  async logout(@CandescentCustomer('sessionId') sessionId: string): Promise<void> {
    await this.sessions.logout(sessionId);
  }
}
