import { Controller, type DynamicModule, Get, Module, UseGuards } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  type CandescentAuthModuleOptions,
  CandescentCustomer,
  type CandescentCustomerView,
  CandescentHttpService,
  RequireCustomerToken,
} from '@candescent/auth';

export interface MyAccounts {
  institution: string;
  fiId: string;
  accounts: { id: string; name: string }[];
}

/** A guarded route: the customer's own accounts, fetched from the customer's own institution. */
@Controller()
export class BankingController {
  constructor(private readonly http: CandescentHttpService) {}

  @Get('me/accounts')
  @UseGuards(CandescentAuthGuard)
  @RequireCustomerToken()
  async accounts(@CandescentCustomer() customer: CandescentCustomerView): Promise<MyAccounts> {
    // No institution named: the module sends to the session's institution, with its FI id.
    const { data } = await firstValueFrom(
      this.http.get<{ accounts: MyAccounts['accounts'] }>('/db-accounts/v1/accounts'),
    );
    return {
      institution: customer.institution,
      fiId: customer.fiId,
      accounts: data.accounts,
    };
  }
}

/** One module serving several institutions (README "Several institutions"). */
@Module({})
export class BankingModule {
  static forInstitutions(institutions: NonNullable<CandescentAuthModuleOptions['institutions']>): DynamicModule {
    return {
      module: BankingModule,
      imports: [CandescentAuthModule.forRoot({ institutions })],
      controllers: [BankingController],
    };
  }
}
