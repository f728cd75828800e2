import { createHash } from 'node:crypto';
import { V1_ACCOUNTS_PATH } from './accounts.routes';
import type { SandboxRequest } from './request-reader';
import { bearerToken } from './request-checks';
import type { RouteContext } from './sandbox-context';
import type { IsolationViolation, RecordedInstitutions, RecordedRequest } from './sandbox-records.interface';
import type { RouteDefinition } from './sandbox-routes';

/** Works out, as the request arrives, which FI each of its parts belongs to. */
export function describeInstitutions(
  request: SandboxRequest,
  route: RouteDefinition | undefined,
  context: Pick<RouteContext, 'apps' | 'tokens'>,
): RecordedInstitutions {
  const { headers } = request;
  const v1 = route?.name === 'v1-token' || route?.name === 'v1-accounts';
  const v2 = route !== undefined && !v1;
  const headerFiId = nonEmpty(
    v1 ? headers.di_fiid : v2 ? headers.institutionid : (headers.di_fiid ?? headers.institutionid),
  );
  const pathFiId = route?.name === 'v1-accounts' ? safeDecode(V1_ACCOUNTS_PATH.exec(request.path)?.[1]) : undefined;
  const credentials = context.apps.describe(headers.authorization);
  const token = presentedToken(request, route);
  return withoutUndefined({
    headerFiId,
    pathFiId,
    consumerKeyFiIds: credentials?.consumerKeyFiIds,
    consumerSecretFiIds: credentials?.consumerSecretFiIds,
    tokenFiId: token === undefined ? undefined : context.tokens.fiIdOf(token),
    tokenSha256: token === undefined ? undefined : sha256(token),
  });
}

/** SHA-256 (hex) of a token, as `RecordedInstitutions.tokenSha256` holds it. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Requests whose parts disagree on the FI: the header, the path and the token name different
 * FIs, or the consumer key or secret is of an app not enabled for one of them, or the key and
 * the secret are of different apps. Parts a request lacks, and credentials no app has, are
 * left out: a wrong secret is a bad request, not a crossed one.
 */
export function findIsolationViolations(requests: readonly RecordedRequest[]): IsolationViolation[] {
  const violations: IsolationViolation[] = [];
  requests.forEach((request, index) => {
    const reasons = disagreements(request.institutions);
    if (reasons.length === 0) return;
    const { route, method, path, status, at, institutions } = request;
    violations.push({ index, route, method, path, status, at, institutions: copyInstitutions(institutions), reasons });
  });
  return violations;
}

export function copyInstitutions(institutions: RecordedInstitutions): RecordedInstitutions {
  return withoutUndefined({
    ...institutions,
    consumerKeyFiIds: institutions.consumerKeyFiIds && [...institutions.consumerKeyFiIds],
    consumerSecretFiIds: institutions.consumerSecretFiIds && [...institutions.consumerSecretFiIds],
  });
}

function disagreements(institutions: RecordedInstitutions): string[] {
  const named: [string, string | undefined][] = [
    ['header', institutions.headerFiId],
    ['path', institutions.pathFiId],
    ['token', institutions.tokenFiId],
  ];
  const present = named.filter((entry): entry is [string, string] => entry[1] !== undefined);
  const reasons: string[] = [];
  present.forEach(([part, fiId], i) => {
    for (const [otherPart, otherFiId] of present.slice(i + 1)) {
      if (otherFiId !== fiId) reasons.push(`${part} names FI ${fiId} but ${otherPart} names FI ${otherFiId}`);
    }
  });
  const credentials: [string, string[] | undefined][] = [
    ['consumer key', institutions.consumerKeyFiIds],
    ['consumer secret', institutions.consumerSecretFiIds],
  ];
  for (const [half, fiIds] of credentials) {
    if (fiIds === undefined || fiIds.length === 0) continue;
    for (const [part, fiId] of present) {
      if (!fiIds.includes(fiId)) reasons.push(`${half} of FI ${fiIds.join('/')} sent with the ${part}'s FI ${fiId}`);
    }
  }
  const keyFiIds = institutions.consumerKeyFiIds ?? [];
  const secretFiIds = institutions.consumerSecretFiIds ?? [];
  if (keyFiIds.length > 0 && secretFiIds.length > 0 && !keyFiIds.some((fiId) => secretFiIds.includes(fiId))) {
    reasons.push(
      `consumer key of FI ${keyFiIds.join('/')} sent with the consumer secret of FI ${secretFiIds.join('/')}`,
    );
  }
  return reasons;
}

/** The token a route reads: Bearer on banking calls, the form's on refresh and revoke. */
function presentedToken(request: SandboxRequest, route: RouteDefinition | undefined): string | undefined {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== undefined) return bearer;
  if (route?.name === 'v2-token' && request.form.grant_type === 'refresh_token')
    return nonEmpty(request.form.refresh_token);
  if (route?.name === 'v2-revoke') return nonEmpty(request.form.token);
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function safeDecode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
