import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  CandescentHttpService,
  type CandescentCustomerView,
  InjectCandescentAuthOptions,
  RequireCustomerToken,
  type ResolvedCandescentAuthOptions,
} from '@candescent/auth';
import { DocAccounts } from '../docs/route-docs.decorators';
import { AccountsQuery } from './accounts.query';

/** `GET /accounts`: the customer's accounts, fetched with the customer's own token. */
@Controller('accounts')
@UseGuards(CandescentAuthGuard)
@RequireCustomerToken()
export class AccountsController {
  constructor(
    private readonly http: CandescentHttpService,
    @InjectCandescentAuthOptions() private readonly options: ResolvedCandescentAuthOptions,
  ) {}

  @Get()
  @DocAccounts()
  async list(@CandescentCustomer() customer: CandescentCustomerView, @Query() query: AccountsQuery) {
    const service = query.service ?? (this.options.tokenServices.includes('v2') ? 'v2' : 'v1');
    if (!this.options.tokenServices.includes(service)) {
      throw new BadRequestException(
        `This app does not offer the ${service} accounts service; use ?service=${this.options.tokenServices.join(' or ?service=')}.`,
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
