import { Controller, Get, UseGuards } from '@nestjs/common';
import { CandescentAuthGuard, CandescentCustomer, type CandescentCustomerView } from '@candescent/auth';
import { DocMe } from '../docs/route-docs.decorators';

/** `GET /me`: who the session belongs to. */
@Controller('me')
@UseGuards(CandescentAuthGuard)
export class MeController {
  @Get()
  @DocMe()
  me(@CandescentCustomer() customer: CandescentCustomerView) {
    return {
      fiCustomerId: customer.fiCustomerId ?? null,
      fiId: customer.fiId,
      memberNumber: customer.memberNumber ?? null,
      loginId: customer.loginId,
    };
  }
}
