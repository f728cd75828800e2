import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

/**
 * The validation of the settings that belong to one institution, written once: they stand at
 * the top of the options (one FI, the single-institution form) and in each `institutions`
 * entry. At the top, the four identifying fields are required only when `institutions` is not
 * given.
 */
const requiredUnlessListed = () =>
  ValidateIf((options: { institutions?: unknown }) => options.institutions === undefined);

const PRINTABLE = /^[\x21-\x7e]+$/;

export const InstitutionFields = {
  baseUrl: () => applyDecorators(requiredUnlessListed(), IsString(), MaxLength(2048)),
  consumerKey: () =>
    applyDecorators(
      requiredUnlessListed(),
      IsString(),
      MinLength(1),
      MaxLength(512),
      Matches(/^[\x21-\x39\x3b-\x7e]+$/),
    ),
  consumerSecret: () =>
    applyDecorators(requiredUnlessListed(), IsString(), MinLength(1), MaxLength(512), Matches(PRINTABLE)),
  fiId: () => applyDecorators(requiredUnlessListed(), IsString(), Matches(/^[0-9A-Za-z]{1,20}$/)),
  tokenServices: () =>
    applyDecorators(
      IsOptional(),
      IsArray(),
      ArrayMinSize(1),
      ArrayMaxSize(2),
      ArrayUnique(),
      IsIn(['v1', 'v2'], { each: true }),
    ),
  institutionTokenService: () => applyDecorators(IsOptional(), IsIn(['v1', 'v2'])),
  scopes: () =>
    applyDecorators(
      IsOptional(),
      IsArray(),
      ArrayMaxSize(50),
      IsString({ each: true }),
      Matches(/^[A-Za-z0-9._:/-]{1,128}$/, { each: true }),
    ),
};
