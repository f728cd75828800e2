import { IsIn, IsOptional } from 'class-validator';

/** `GET /accounts?service=v1|v2` (default: V2 when configured). */
export class AccountsQuery {
  @IsOptional()
  @IsIn(['v1', 'v2'])
  service?: 'v1' | 'v2';
}
