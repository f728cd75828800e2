import { Controller, Get, UseGuards } from '@nestjs/common';
import { CandescentAuthGuard, CandescentCustomer, type CandescentCustomerView } from '@candescent/auth';
import { DocMe } from '../docs/route-docs.decorators';

/** `GET /me`: who the session belongs to, and at which institution. */
@Controller('me')
@UseGuards(CandescentAuthGuard)
export class MeController {
  @Get()
  @DocMe()
  me(@CandescentCustomer() customer: CandescentCustomerView) {
    return {
      institution: customer.institution,
      fiCustomerId: customer.fiCustomerId ?? null,
      fiId: customer.fiId,
      memberNumber: customer.memberNumber ?? null,
      loginId: customer.loginId,
    };
  }
}
