import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { CandescentAuthGuard, CandescentCustomer, CandescentHttpService, RequireCustomerToken } from '@candescent/auth';
import type { CandescentCustomerView } from '@candescent/auth';

@Controller()
export class AccountsController {
  constructor(private readonly http: CandescentHttpService) {}

  /** The customer's accounts, fetched upstream with the customer's own token. */
  @Get('accounts')
  @UseGuards(CandescentAuthGuard)
  @RequireCustomerToken()
  async list(@CandescentCustomer() customer: CandescentCustomerView): Promise<{ loginId: string; accounts: unknown }> {
    const { data } = await firstValueFrom(this.http.get<{ accounts: unknown }>('/db-accounts/v1/accounts'));
    return { loginId: customer.loginId, accounts: data.accounts };
  }

  /** The same call with the institution token; `candescentAuth` is the package's axios option. */
  @Get('institution/accounts')
  async institution(@Query('loginId') loginId: string): Promise<unknown> {
    const { data } = await firstValueFrom(
      this.http.get<unknown>('/db-accounts/v1/accounts', { params: { loginId }, candescentAuth: 'institution' }),
    );
    return data;
  }
}
