import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** `GET /institution/accounts?loginId=` */
export class InstitutionAccountsQuery {
  /** The customer's login id at the FI. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  @Matches(/^[\x21-\x7e]+$/, { message: 'loginId must be printable characters without spaces' })
  loginId!: string;
}
