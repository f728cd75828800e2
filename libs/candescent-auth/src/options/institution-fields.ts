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
import type { CandescentService } from '../errors/candescent-auth.error';
import { Option } from './option.decorator';

/**
 * The validation and error words of the settings that belong to one institution, written once:
 * they stand at the top of the options (one FI, the single-institution form) and in each
 * `institutions` entry, with their defaults (which differ) beside each property. At the top, the
 * four identifying fields are required only when `institutions` is not given.
 */
const requiredUnlessListed = () =>
  ValidateIf((options: { institutions?: unknown }) => options.institutions === undefined);

/** The institution token comes from V2 when the app uses V2. */
export const institutionService = ({ tokenServices }: Record<string, unknown>) =>
  Array.isArray(tokenServices) && !tokenServices.includes('v2') ? 'v1' : 'v2';

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

/**
 * One financial institution of a module that serves several (`institutions`), or of
 * `CandescentInstitutions.add()`: what identifies the FI and the app's registration with it.
 */
export class CandescentInstitutionOptionsDto {
  /** The app's own name for the institution (`'cu-north'`): what logins, sessions and calls name. */
  @Option({
    required: true,
    expected:
      "the institution's name in the app: 1-64 letters, digits, dot, underscore or dash, starting with a letter or digit",
  })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
  id!: string;

  /** The FI's Candescent gateway URL; https unless the host is loopback. Institutions may share one. */
  @Option({ required: true })
  @InstitutionFields.baseUrl()
  baseUrl!: string;

  /** The app's consumer key at this FI. */
  @Option({ required: true })
  @InstitutionFields.consumerKey()
  consumerKey!: string;

  /** The app's consumer secret at this FI. Never logged, never part of an error. */
  @Option({ required: true })
  @InstitutionFields.consumerSecret()
  consumerSecret!: string;

  /** The FI id, as a string: leading zeros matter (`00016`). */
  @Option({ required: true })
  @InstitutionFields.fiId()
  fiId!: string;

  /** The token services the app uses at this FI. */
  @Option({
    default: (_entry: unknown, module?: { tokenServices?: unknown }) => module?.tokenServices,
    defaultText: "the module's `tokenServices`",
  })
  @InstitutionFields.tokenServices()
  tokenServices?: CandescentService[];

  /** The service that issues this FI's institution token. */
  @Option({ default: institutionService, defaultText: "`'v2'` when this FI uses V2, else `'v1'`" })
  @InstitutionFields.institutionTokenService()
  institutionTokenService?: CandescentService;

  /** V2 scopes at this FI. */
  @Option({
    default: (_entry: unknown, module?: { scopes?: unknown }) => module?.scopes,
    defaultText: "the module's `scopes`",
  })
  @InstitutionFields.scopes()
  scopes?: string[];
}
