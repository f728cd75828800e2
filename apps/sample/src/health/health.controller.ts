import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { CandescentHealthIndicator } from '@candescent/auth';

/** `GET /health`: Terminus report with the Candescent token service. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly candescent: CandescentHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.candescent.check('candescent')]);
  }
}
