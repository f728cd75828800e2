import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CandescentLoginCredentialsSchema } from '@candescent/auth/swagger';

/** `POST /auth/login` body: the library's validated credentials, and the institution to log in at. */
export class LoginDto extends CandescentLoginCredentialsSchema {
  /** An id of `GET /institutions`; one the app does not serve is refused (400 `UNKNOWN_INSTITUTION`). */
  @ApiPropertyOptional({
    description: 'The institution to log in at (an id of GET /institutions). Default: the first configured.',
    example: 'cu-north',
    maxLength: 64,
  })
  @IsOptional()
  @IsString({ message: 'institution must be a string: an id of GET /institutions' })
  @MaxLength(64, { message: 'institution must be at most 64 characters: an id of GET /institutions' })
  institution?: string;
}
