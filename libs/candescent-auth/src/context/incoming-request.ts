import type { ArgumentsHost } from '@nestjs/common';
import type { CandescentSessionRef, SESSION_ON_REQUEST } from './request-context';

/** What the module reads of an HTTP request (Express's and Fastify's both have it). */
export interface IncomingHttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  [SESSION_ON_REQUEST]?: CandescentSessionRef;
}

/** What a GraphQL driver puts in a resolver's context: `req` (both Nest drivers), `request` or `reply.request` (Mercurius). */
interface GraphqlContext {
  req?: unknown;
  request?: unknown;
  reply?: { request?: unknown };
}

/**
 * The HTTP request behind a handler: the framework's request for an HTTP route, the one in the
 * resolver's context for a GraphQL resolver (Apollo or Mercurius; read as plain arguments, so
 * `@nestjs/graphql` stays optional), undefined for anything else (a GraphQL subscription over
 * WebSocket, RPC, ...). Only an object with headers counts as a request.
 */
export function incomingRequest(host: ArgumentsHost): IncomingHttpRequest | undefined {
  let request: unknown;
  if (host.getType() === 'http') request = host.switchToHttp().getRequest<unknown>();
  else if (host.getType<string>() === 'graphql') {
    const context = host.getArgByIndex<GraphqlContext | undefined>(2);
    request = context?.req ?? context?.request ?? context?.reply?.request;
  }
  return isRequest(request) ? request : undefined;
}

function isRequest(value: unknown): value is IncomingHttpRequest {
  return typeof value === 'object' && value !== null && typeof (value as { headers?: unknown }).headers === 'object';
}

/**
 * Whether a GraphQL handler runs for an operation that may change state (a mutation or a
 * subscription), from the resolver's `info` argument; false for anything else.
 */
export function isGraphqlStateChange(host: ArgumentsHost): boolean {
  if (host.getType<string>() !== 'graphql') return false;
  const info = host.getArgByIndex<{ operation?: { operation?: unknown } } | undefined>(3);
  const operation = info?.operation?.operation;
  return operation !== undefined && operation !== 'query';
}
