import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { CandescentHttpService, CandescentInstitutions, CandescentTokenService } from '@candescent/auth';
import { DocInstitutionAccounts, DocInstitutionStatus } from '../docs/route-docs.decorators';
import { BackOfficeGuard } from './back-office.guard';
import { InstitutionAccountsQuery } from './institution-accounts.query';
import { InstitutionQuery } from './institution.query';

/**
 * Calls made with an institution (client_credentials) token: `?institution=` names whose (an id
 * the module serves), the default institution without it.
 */
@Controller('institution')
export class InstitutionController {
  constructor(
    private readonly tokens: CandescentTokenService,
    private readonly http: CandescentHttpService,
    private readonly institutions: CandescentInstitutions,
  ) {}

  /** Whether an institution token is held and until when; never the token itself. */
  @Get('status')
  @DocInstitutionStatus()
  async status(
    @Query() query: InstitutionQuery,
  ): Promise<{ institution: string; held: boolean; service: string; expiresAt: string }> {
    const token = await this.tokens.getInstitutionToken({ institution: query.institution });
    return {
      institution: query.institution ?? this.institutions.defaultId,
      held: true,
      service: token.service,
      expiresAt: new Date(token.expiresAt).toISOString(),
    };
  }

  /** The V2 accounts call with the institution's token and the customer named by `loginId`. */
  @Get('accounts')
  @DocInstitutionAccounts()
  @UseGuards(BackOfficeGuard)
  async accounts(
    @Query() query: InstitutionAccountsQuery,
  ): Promise<{ institution: string; service: 'v2'; accounts: unknown }> {
    const institution = query.institution ?? this.institutions.defaultId;
    // Refuses an institution the module does not serve (400 UNKNOWN_INSTITUTION) before any request.
    const response = await firstValueFrom(
      this.http.forInstitution(institution).get<unknown>('/db-accounts/v1/accounts', {
        params: { loginId: query.loginId },
        candescentAuth: 'institution',
      }),
    );
    return { institution, service: 'v2', accounts: response.data };
  }
}
