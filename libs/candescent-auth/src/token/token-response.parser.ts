import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CandescentProtocolError } from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import { SERVICE_LABEL } from './token-error.codes';
import type { CandescentToken, CandescentTokenGrant } from './candescent-token.interface';
import { isRecord } from '../util/is-record';
import { BodyParseError, mediaTypeOf, parseResponseBody } from './response-body.parser';
import {
  type BaseTokenResponseDto,
  isLifetimeMissing,
  parseAbsoluteDate,
  TOKEN_FIELD_EXPECTATIONS,
  V1TokenResponseDto,
  V2TokenResponseDto,
} from './token-response.dto';

/** A raw HTTP answer of a token service, as the HTTP layer hands it over. */
export interface TokenHttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The body as text, undecoded. */
  body: string;
}

/** What the token parser needs to know besides the answer itself. */
export interface TokenResponseContext {
  service: CandescentService;
  grant: CandescentTokenGrant;
  /** `di_tid` / `transactionId` of the request, copied into errors. */
  traceId: string;
  /** When the answer arrived (ms since epoch, module clock); lifetimes count from here. */
  receivedAt: number;
  /** Scopes that were requested (V2); copied onto the token. */
  scopes?: string[];
  /**
   * Lifetime used only when `expires_in` is missing or not a number.
   * @default undefined (such a response is a protocol error)
   */
  defaultExpiresInSeconds?: number;
  /**
   * Longest access-token lifetime believed; larger values are clamped to it.
   * @default 2678400 (31 days)
   */
  maxExpiresInSeconds?: number;
}

/** Default cap on `expires_in`: 31 days, just above the longest lifetime in the docs' examples. */
export const DEFAULT_MAX_EXPIRES_IN_SECONDS = 31 * 24 * 60 * 60;

/** Cap on the refresh-token lifetime, so that a nonsense value cannot mean "forever". */
export const MAX_REFRESH_TOKEN_LIFETIME_SECONDS = 366 * 24 * 60 * 60;

const DTO_OF: Record<CandescentService, ClassConstructor<BaseTokenResponseDto>> = {
  v1: V1TokenResponseDto,
  v2: V2TokenResponseDto,
};

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * Turns a successful token-service answer into a validated {@link CandescentToken}.
 *
 * Accepts the V1 XML `<token>` document and its JSON form, and the V2 JSON body; numbers may be
 * strings or numbers. The returned token's access and refresh tokens are registered with the
 * redactor, so they are removed from any later log line or error message.
 *
 * @throws CandescentProtocolError `MALFORMED_BODY` when the body is not parseable XML/JSON, or
 *   `INVALID_TOKEN_RESPONSE` naming the fields that break the contract. Field values are never
 *   part of the error: any of them may be a token.
 */
export function parseTokenSuccess(res: TokenHttpResponse, ctx: TokenResponseContext): CandescentToken {
  const fail = (errorCode: 'MALFORMED_BODY' | 'INVALID_TOKEN_RESPONSE', problem: string) =>
    new CandescentProtocolError(
      `Candescent ${SERVICE_LABEL[ctx.service]} token service answered ${res.status} with ${problem}. ` +
        'Check that the base URL points at the Candescent gateway; contact Candescent if it persists.',
      {
        upstreamStatus: res.status,
        errorType: 'SYSTEM_ERROR',
        errorCode,
        traceId: ctx.traceId,
        service: ctx.service,
      },
    );

  let parsed: unknown;
  try {
    parsed = parseResponseBody(res.headers['content-type'], res.body);
  } catch (error) {
    if (!(error instanceof BodyParseError)) throw error;
    throw fail('MALFORMED_BODY', `a body that was refused (${error.detail})`);
  }
  if (parsed === undefined) {
    const mediaType = mediaTypeOf(res.headers['content-type']) ?? 'no content type';
    throw fail('MALFORMED_BODY', `no XML or JSON token body (${mediaType})`);
  }

  // V1 XML wraps the fields in a <token> root; the JSON forms are flat.
  const fields = isRecord(parsed) && isRecord(parsed.token) && !('access_token' in parsed) ? parsed.token : parsed;
  if (!isRecord(fields)) throw fail('INVALID_TOKEN_RESPONSE', 'a body that is not a token object');

  const plain: Record<string, unknown> = { ...fields };
  if (isLifetimeMissing(plain.expires_in) && isPositiveInteger(ctx.defaultExpiresInSeconds)) {
    plain.expires_in = ctx.defaultExpiresInSeconds;
  }
  const dto = plainToInstance(DTO_OF[ctx.service], plain, { excludeExtraneousValues: true });
  const badFields = validateSync(dto).map((error) => error.property);
  if (badFields.length > 0) {
    const listed = badFields
      .map((field) => `${field} (expected ${TOKEN_FIELD_EXPECTATIONS[field] ?? 'a valid value'})`)
      .join(', ');
    throw fail(
      'INVALID_TOKEN_RESPONSE',
      `a token response that breaks the contract: ${listed}; values are not shown as they may hold secrets`,
    );
  }

  return buildToken(dto, ctx);
}

function buildToken(dto: BaseTokenResponseDto, ctx: TokenResponseContext): CandescentToken {
  const maxSeconds = isPositiveInteger(ctx.maxExpiresInSeconds)
    ? ctx.maxExpiresInSeconds
    : DEFAULT_MAX_EXPIRES_IN_SECONDS;
  const token: CandescentToken = {
    service: ctx.service,
    grant: ctx.grant,
    accessToken: dto.access_token,
    tokenType: 'Bearer',
    issuedAt: ctx.receivedAt,
    expiresAt: ctx.receivedAt + Math.min(dto.expires_in, maxSeconds) * 1000,
  };
  if (dto.refresh_token !== undefined) token.refreshToken = dto.refresh_token;
  const refreshExpiresAt = refreshTokenExpiresAt(dto.refresh_token_expires_in, ctx.receivedAt);
  if (refreshExpiresAt !== undefined) token.refreshTokenExpiresAt = refreshExpiresAt;
  if (ctx.scopes && ctx.scopes.length > 0) token.scopes = [...ctx.scopes];

  if (dto instanceof V1TokenResponseDto) {
    if (dto.di_fiid !== undefined) token.fiId = dto.di_fiid;
    if (dto.di_ficustomer !== undefined) token.fiCustomerId = dto.di_ficustomer;
    if (dto.di_member_number !== undefined) token.memberNumber = dto.di_member_number;
  }
  return token;
}

function refreshTokenExpiresAt(value: number | string | undefined, receivedAt: number): number | undefined {
  if (value === undefined) return undefined;
  const latest = receivedAt + MAX_REFRESH_TOKEN_LIFETIME_SECONDS * 1000;
  // The DTO guarantees a positive integer or a parseable date string.
  const at = typeof value === 'number' ? receivedAt + value * 1000 : parseAbsoluteDate(value);
  return at === undefined ? undefined : Math.min(at, latest);
}
