import { type CanActivate, Controller, Get, Injectable, UseGuards } from '@nestjs/common';
import { CandescentAuthGuard } from '@candescent/auth';
import { HandWrittenGuard } from './hand-written.guard';

/**
 * A guard that admits every request: what Nest's guard call costs a route by itself (the floor
 * under any guard's own work).
 */
@Injectable()
export class AdmitAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/**
 * The same constant answer open, behind the module's guard, behind the hand-written guard and
 * behind a guard that admits everything.
 */
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

  @Get('guarded-nest')
  @UseGuards(AdmitAllGuard)
  guardedNest(): { ok: true } {
    return { ok: true };
  }

  @Get('guarded-hand')
  @UseGuards(HandWrittenGuard)
  guardedHand(): { ok: true } {
    return { ok: true };
  }
}
