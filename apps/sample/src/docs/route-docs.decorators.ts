import { applyDecorators, HttpStatus } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiCandescentAuth, CandescentErrorBodySchema } from '@candescent/auth/swagger';
import { LoginDto } from '../auth/login.dto';
import {
  AccountsResponseSchema,
  InstitutionListSchema,
  InstitutionStatusSchema,
  LoginResponseSchema,
  MeResponseSchema,
} from './sample-responses.schema';

// The sample's OpenAPI documentation, one decorator per route, so the controllers stay readable.

const error = CandescentErrorBodySchema;

/** What any route that calls Candescent may answer when Candescent misbehaves. */
const UpstreamErrors = () =>
  applyDecorators(
    ApiTooManyRequestsResponse({
      description: 'Candescent quota or spike arrest (`Retry-After` when known).',
      type: error,
    }),
    ApiResponse({
      status: HttpStatus.BAD_GATEWAY,
      description: 'Candescent answered something the contract does not allow.',
      type: error,
    }),
    ApiServiceUnavailableResponse({
      description: 'Candescent unreachable, 5xx, or the circuit is open (`CIRCUIT_OPEN`).',
      type: error,
    }),
    ApiResponse({ status: HttpStatus.GATEWAY_TIMEOUT, description: 'No answer from Candescent in time.', type: error }),
  );

export const DocLogin = () =>
  applyDecorators(
    ApiTags('auth'),
    ApiOperation({ summary: 'Log a customer in (password grant) and open a session' }),
    ApiBody({ type: LoginDto }),
    ApiOkResponse({
      type: LoginResponseSchema,
      description: 'Bearer transport: `sessionToken`. Cookie transport: the session cookie and `csrfToken`.',
    }),
    ApiBadRequestResponse({
      description:
        'Malformed body (`INVALID_CREDENTIALS_FORMAT` or validation messages), or an institution this app does not serve (`UNKNOWN_INSTITUTION`).',
      type: error,
    }),
    ApiUnauthorizedResponse({ description: 'Username or password rejected by Candescent.', type: error }),
    ApiForbiddenResponse({
      description: 'Cookie transport: a cross-site login (`Sec-Fetch-Site: cross-site`).',
      type: error,
    }),
    UpstreamErrors(),
  );

export const DocLogout = () =>
  applyDecorators(
    ApiTags('auth'),
    ApiOperation({ summary: "End the session and revoke the customer's Candescent tokens" }),
    ApiCandescentAuth({ stateChanging: true }),
    ApiNoContentResponse({ description: 'Logged out; the cookie (cookie transport) is cleared.' }),
  );

export const DocMe = () =>
  applyDecorators(
    ApiTags('customer'),
    ApiOperation({ summary: 'The customer the session belongs to' }),
    ApiCandescentAuth(),
    ApiOkResponse({ type: MeResponseSchema }),
    UpstreamErrors(),
  );

export const DocAccounts = () =>
  applyDecorators(
    ApiTags('customer'),
    ApiOperation({ summary: "The customer's accounts, fetched with the customer's own token" }),
    ApiCandescentAuth(),
    ApiQuery({ name: 'service', required: false, enum: ['v1', 'v2'], description: 'Default: V2 when configured.' }),
    ApiOkResponse({ type: AccountsResponseSchema }),
    ApiBadRequestResponse({
      description: 'The service asked for is not configured, or the session has no V1 customer id.',
      type: error,
    }),
    UpstreamErrors(),
  );

/** `?institution=` of the institution-token routes. */
const InstitutionParam = () =>
  ApiQuery({
    name: 'institution',
    required: false,
    description: 'Whose institution token to use: an id of GET /institutions. Default: the first configured.',
  });

const UnknownInstitution = () =>
  ApiBadRequestResponse({
    description: 'An institution this app does not serve (`UNKNOWN_INSTITUTION`), or a malformed query.',
    type: error,
  });

export const DocInstitutions = () =>
  applyDecorators(
    ApiTags('institution'),
    ApiOperation({ summary: 'The institutions a customer can log in at (ids and FI ids only)' }),
    ApiOkResponse({ type: InstitutionListSchema }),
  );

export const DocInstitutionStatus = () =>
  applyDecorators(
    ApiTags('institution'),
    ApiOperation({ summary: 'Whether an institution token is held and until when (never the token)' }),
    InstitutionParam(),
    ApiOkResponse({ type: InstitutionStatusSchema }),
    UnknownInstitution(),
    ApiForbiddenResponse({ description: 'Candescent refused the app or the FI.', type: error }),
    UpstreamErrors(),
  );

export const DocInstitutionAccounts = () =>
  applyDecorators(
    ApiTags('institution'),
    ApiOperation({ summary: "A customer's accounts with the institution token (back office only)" }),
    ApiSecurity('backOfficeKey'),
    ApiHeader({
      name: 'X-Api-Key',
      required: false,
      description: 'The back-office key, when SAMPLE_BACKOFFICE_KEY is set.',
    }),
    InstitutionParam(),
    ApiOkResponse({ type: AccountsResponseSchema }),
    ApiBadRequestResponse({
      description: 'loginId missing or malformed, or an institution this app does not serve (`UNKNOWN_INSTITUTION`).',
      type: error,
    }),
    ApiUnauthorizedResponse({ description: 'Wrong or missing back-office key.', type: error }),
    ApiForbiddenResponse({
      description: 'No back-office key configured against a real environment, or Candescent refused the call.',
      type: error,
    }),
    UpstreamErrors(),
  );

export const DocHealth = () =>
  applyDecorators(
    ApiTags('health'),
    ApiOperation({ summary: 'Terminus report with the Candescent token service' }),
    ApiOkResponse({ description: 'Healthy.', schema: { type: 'object', additionalProperties: true } }),
    ApiServiceUnavailableResponse({
      description: 'The token service is unhealthy (Terminus report).',
      schema: { type: 'object', additionalProperties: true },
    }),
  );
