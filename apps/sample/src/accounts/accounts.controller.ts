import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  CandescentHttpService,
  type CandescentCustomerView,
  RequireCustomerToken,
} from '@candescent/auth';
import { DocAccounts } from '../docs/route-docs.decorators';
import { type SampleEnvironment, tokenServicesFrom } from '../sample-config';
import { AccountsQuery } from './accounts.query';

/** `GET /accounts`: the customer's accounts, fetched with the customer's own token. */
@Controller('accounts')
@UseGuards(CandescentAuthGuard)
@RequireCustomerToken()
export class AccountsController {
  /** The token services this app logs customers in with: its own configuration, as the module got it. */
  private readonly services: ReadonlyArray<'v1' | 'v2'>;

  constructor(
    private readonly http: CandescentHttpService,
    config: ConfigService<SampleEnvironment>,
  ) {
    this.services = tokenServicesFrom(config.get('CANDESCENT_LOGIN_SERVICE', { infer: true }));
  }

  @Get()
  @DocAccounts()
  async list(@CandescentCustomer() customer: CandescentCustomerView, @Query() query: AccountsQuery) {
    const service = query.service ?? (this.services.includes('v2') ? 'v2' : 'v1');
    if (!this.services.includes(service)) {
      throw new BadRequestException(
        `This app does not offer the ${service} accounts service; use ?service=${this.services.join(' or ?service=')}.`,
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
