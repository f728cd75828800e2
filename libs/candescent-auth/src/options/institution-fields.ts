import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { Option } from './option.decorator';

/**
 * The validation and error words of the settings that belong to one institution, written once:
 * they stand at the top of the options (one FI, the single-institution form) and in each
 * `institutions` entry, with their defaults (which differ) beside each property. At the top, the
 * four identifying fields are required only when `institutions` is not given.
 */
const requiredUnlessListed = () =>
  ValidateIf((options: { institutions?: unknown }) => options.institutions === undefined);

const PRINTABLE = /^[\x21-\x7e]+$/;

const words = (expected: string) => Option({ expected });

export const InstitutionFields = {
  baseUrl: () =>
    applyDecorators(
      words('the FI gateway URL, https (http only for a loopback host), without credentials, query or fragment'),
      requiredUnlessListed(),
      IsString(),
      MaxLength(2048),
    ),
  consumerKey: () =>
    applyDecorators(
      words(
        "a non-empty string of printable characters without spaces or ':' (at most 512; Basic auth splits on the first ':')",
      ),
      requiredUnlessListed(),
      IsString(),
      MinLength(1),
      MaxLength(512),
      Matches(/^[\x21-\x39\x3b-\x7e]+$/),
    ),
  consumerSecret: () =>
    applyDecorators(
      words('a non-empty string of printable characters without spaces (at most 512)'),
      requiredUnlessListed(),
      IsString(),
      MinLength(1),
      MaxLength(512),
      Matches(PRINTABLE),
    ),
  fiId: () =>
    applyDecorators(
      words("the FI id as a string of 1-20 letters or digits, leading zeros kept (e.g. '00042')"),
      requiredUnlessListed(),
      IsString(),
      Matches(/^[0-9A-Za-z]{1,20}$/),
    ),
  tokenServices: () =>
    applyDecorators(
      words("a non-empty list of distinct services out of 'v1' and 'v2'"),
      IsArray(),
      ArrayMinSize(1),
      ArrayMaxSize(2),
      ArrayUnique(),
      IsIn(['v1', 'v2'], { each: true }),
    ),
  institutionTokenService: () => applyDecorators(words("'v1' or 'v2', and one of tokenServices"), IsIn(['v1', 'v2'])),
  scopes: () =>
    applyDecorators(
      words("a list of at most 50 scope names such as 'accounts:read'"),
      IsArray(),
      ArrayMaxSize(50),
      IsString({ each: true }),
      Matches(/^[A-Za-z0-9._:/-]{1,128}$/, { each: true }),
    ),
};
