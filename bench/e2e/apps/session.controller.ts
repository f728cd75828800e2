import { Controller, Get, UseGuards } from '@nestjs/common';
import { CandescentAuthGuard } from '@candescent/auth';
import { HandWrittenGuard } from './hand-written.guard';

/** The same constant answer open, behind the module's guard and behind the hand-written guard. */
@Controller()
export class SessionController {
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('guarded')
  @UseGuards(CandescentAuthGuard)
  guarded(): { ok: true } {
    return { ok: true };
  }

  @Get('guarded-hand')
  @UseGuards(HandWrittenGuard)
  guardedHand(): { ok: true } {
    return { ok: true };
  }
}
