import { Controller, Get } from '@nestjs/common';
import { CandescentInstitutions } from '@candescent/auth';
import { DocInstitutions } from '../docs/route-docs.decorators';

/** `GET /institutions`: the FIs a customer can log in at, for a login page's picker. */
@Controller('institutions')
export class InstitutionsController {
  constructor(private readonly institutions: CandescentInstitutions) {}

  /** Ids and FI ids only: never a gateway or a credential. */
  @Get()
  @DocInstitutions()
  list(): { defaultInstitution: string; institutions: Array<{ id: string; fiId: string }> } {
    const institutions = this.institutions.ids().flatMap((id) => {
      const info = this.institutions.describe(id);
      return info ? [{ id, fiId: info.fiId }] : [];
    });
    return { defaultInstitution: this.institutions.defaultId, institutions };
  }
}
