import { Controller, Get } from '@nestjs/common';

/** `GET /unrelated`: a constant answer, never touching Candescent. */
@Controller()
export class UnrelatedController {
  @Get('unrelated')
  unrelated(): { ok: true } {
    return { ok: true };
  }
}
