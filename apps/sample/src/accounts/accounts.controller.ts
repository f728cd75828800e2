import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  type CandescentCustomerView,
  CandescentHttpService,
  CandescentInstitutions,
  RequireCustomerToken,
} from '@candescent/auth';
import { DocAccounts } from '../docs/route-docs.decorators';
import { AccountsQuery } from './accounts.query';

/**
 * `GET /accounts`: the customer's accounts, fetched with the customer's own token. The call goes
 * to the customer's institution by itself: the module reads it from the session.
 */
@Controller('accounts')
@UseGuards(CandescentAuthGuard)
@RequireCustomerToken()
export class AccountsController {
  constructor(
    private readonly http: CandescentHttpService,
    private readonly institutions: CandescentInstitutions,
  ) {}

  @Get()
  @DocAccounts()
  async list(@CandescentCustomer() customer: CandescentCustomerView, @Query() query: AccountsQuery) {
    // The token services the customer's institution logs customers in with, as the module has them.
    const services = this.institutions.describe(customer.institution)?.tokenServices ?? [];
    const service = query.service ?? (services.includes('v2') ? 'v2' : 'v1');
    if (!services.includes(service)) {
      throw new BadRequestException(
        `This app does not offer the ${service} accounts service; use ?service=${services.join(' or ?service=')}.`,
      );
    }
    if (service === 'v2') {
      const { data } = await firstValueFrom(this.http.get<unknown>('/db-accounts/v1/accounts'));
      return { service, accounts: data };
    }
    if (!customer.fiCustomerId)
      throw new BadRequestException('This session has no V1 customer id; log in with the V1 service.');
    const path = `/bankingservices/v2/fis/${encodeURIComponent(customer.fiId)}/fiCustomers/${encodeURIComponent(customer.fiCustomerId)}/accounts`;
    const { data } = await firstValueFrom(this.http.get<unknown>(path, { headers: { Accept: 'application/json' } }));
    return { service, accounts: data };
  }
}
