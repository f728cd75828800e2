import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { CandescentHttpService, CandescentTokenService } from '@candescent/auth';
import { DocInstitutionAccounts, DocInstitutionStatus } from '../docs/route-docs.decorators';
import { BackOfficeGuard } from './back-office.guard';
import { InstitutionAccountsQuery } from './institution-accounts.query';

/** Calls made with the institution (client_credentials) token. */
@Controller('institution')
export class InstitutionController {
  constructor(
    private readonly tokens: CandescentTokenService,
    private readonly http: CandescentHttpService,
  ) {}

  /** Whether an institution token is held and until when; never the token itself. */
  @Get('status')
  @DocInstitutionStatus()
  async status(): Promise<{ held: boolean; service: string; expiresAt: string }> {
    const token = await this.tokens.getInstitutionToken();
    return { held: true, service: token.service, expiresAt: new Date(token.expiresAt).toISOString() };
  }

  /** The V2 accounts call with the institution token and the customer named by `loginId`. */
  @Get('accounts')
  @DocInstitutionAccounts()
  @UseGuards(BackOfficeGuard)
  async accounts(@Query() query: InstitutionAccountsQuery): Promise<{ service: 'v2'; accounts: unknown }> {
    const response = await firstValueFrom(
      this.http.get<unknown>('/db-accounts/v1/accounts', {
        params: { loginId: query.loginId },
        candescentAuth: 'institution',
      }),
    );
    return { service: 'v2', accounts: response.data };
  }
}
