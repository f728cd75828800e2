import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { InstitutionQuery } from './institution.query';

/** `GET /institution/accounts?loginId=&institution=` */
export class InstitutionAccountsQuery extends InstitutionQuery {
  /** The customer's login id at the FI. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  @Matches(/^[\x21-\x7e]+$/, { message: 'loginId must be printable characters without spaces' })
  loginId!: string;
}
