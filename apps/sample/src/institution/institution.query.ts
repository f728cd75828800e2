import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `?institution=`: which institution's token a back-office call uses (default: the first configured). */
export class InstitutionQuery {
  /** An id of `GET /institutions`; one the app does not serve is refused (400 `UNKNOWN_INSTITUTION`). */
  @IsOptional()
  @IsString({ message: 'institution must be given once: an id of GET /institutions' })
  @MaxLength(64, { message: 'institution must be at most 64 characters: an id of GET /institutions' })
  institution?: string;
}
