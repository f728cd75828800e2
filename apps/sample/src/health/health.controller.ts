import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { CandescentHealthIndicator } from '@candescent/auth';
import { DocHealth } from '../docs/route-docs.decorators';

/** `GET /health`: Terminus report with the Candescent token service. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly candescent: CandescentHealthIndicator,
  ) {}

  @Get()
  @DocHealth()
  @HealthCheck()
  check() {
    return this.health.check([() => this.candescent.check('candescent')]);
  }
}
