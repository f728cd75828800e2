import { UseGuards } from '@nestjs/common';
import { Query, ResolveField, Resolver } from '@nestjs/graphql';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentCustomer,
  type CandescentCustomerView,
  CandescentHttpService,
  SkipCandescentAuth,
} from '@candescent/auth';
import { Account, Customer } from './customer.model.js';

/** Guarded with the stock guard, no subclass; `ping` is let through by @SkipCandescentAuth(). */
@Resolver(() => Customer)
@UseGuards(CandescentAuthGuard)
export class CustomerResolver {
  constructor(private readonly http: CandescentHttpService) {}

  @Query(() => Customer)
  me(@CandescentCustomer() customer: CandescentCustomerView): Customer {
    return customer;
  }

  /** Runs inside the request the `me` query was admitted for, so it calls Candescent as that customer. */
  @ResolveField(() => [Account])
  async accounts(): Promise<Account[]> {
    const { data } = await firstValueFrom(this.http.get<{ accounts: Account[] }>('/db-accounts/v1/accounts'));
    return data.accounts;
  }

  @Query(() => String)
  @SkipCandescentAuth()
  ping(): string {
    return 'pong';
  }
}
