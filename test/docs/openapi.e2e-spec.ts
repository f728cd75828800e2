import SwaggerParser from '@apidevtools/swagger-parser';
import { RequestMethod, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { CandescentAuthGuard } from '@candescent/auth';
import { type RunningSample, startSample } from '../support/app-testing';

// Partial records: the document may lack any path, method, status or schema the test looks up.
type Lookup<T> = Partial<Record<string, T>>;
type Operation = {
  responses: Lookup<{ content?: Lookup<{ schema?: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  tags?: string[];
};
type OpenApi = {
  openapi: string;
  paths: Lookup<Lookup<Operation>>;
  components: {
    schemas: Lookup<{ properties?: Record<string, unknown>; required?: string[] }>;
    securitySchemes: Lookup<Record<string, unknown>>;
  };
};

const ERROR_SCHEMA = '#/components/schemas/CandescentErrorBodySchema';
// Nest's own metadata keys (string constants of @nestjs/common, which has no root export for them).
const PATH = 'path';
const METHOD = 'method';
const GUARDS = '__guards__';

/** Every route whose guards include CandescentAuthGuard, read from the running app's controllers. */
function guardedRoutes(sample: RunningSample): { path: string; method: string }[] {
  const routes: { path: string; method: string }[] = [];
  for (const module of sample.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH, controller) ?? '');
      const classGuards = (Reflect.getMetadata(GUARDS, controller) ?? []) as unknown[];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (
          name === 'constructor' ||
          typeof handler !== 'function' ||
          Reflect.getMetadata(METHOD, handler) === undefined
        )
          continue;
        const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS, handler) ?? []) as unknown[])];
        if (!guards.includes(CandescentAuthGuard)) continue;
        const path = `/${[base, String(Reflect.getMetadata(PATH, handler))].join('/')}`
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1');
        routes.push({ path, method: RequestMethod[Reflect.getMetadata(METHOD, handler) as number].toLowerCase() });
      }
    }
  }
  return routes;
}

describe('OpenAPI document of the sample (/docs-json)', () => {
  let sample: RunningSample;
  let document: OpenApi;

  beforeAll(async () => {
    sample = await startSample({});
    const reply = await sample.client.get('/docs-json');
    expect(reply.status).toBe(200);
    document = reply.json<OpenApi>();
  });
  afterAll(() => sample.close());

  it('validates as OpenAPI 3', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // The validator dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it("documents the login body's fields and its answers", () => {
    const login = document.paths['/auth/login']?.post;
    expect(JSON.stringify(login?.requestBody)).toContain('#/components/schemas/LoginDto');
    const schema = document.components.schemas.LoginDto;
    expect(Object.keys(schema?.properties ?? {}).sort()).toEqual(['institution', 'password', 'username']);
    expect(schema?.required?.sort()).toEqual(['password', 'username']);
    expect(Object.keys(login?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '429',
      '502',
      '503',
      '504',
    ]);
  });

  it('puts the session security and the 401/403 error answers on every guarded route', () => {
    const guarded = guardedRoutes(sample);
    expect(guarded).toEqual(
      expect.arrayContaining([
        { path: '/auth/logout', method: 'post' },
        { path: '/me', method: 'get' },
        { path: '/accounts', method: 'get' },
      ]),
    );
    for (const { path, method } of guarded) {
      const operation = document.paths[path]?.[method];
      expect({ path, method, found: operation !== undefined }).toEqual({ path, method, found: true });
      for (const status of ['401', '403']) {
        expect({
          path,
          status,
          schema: operation?.responses[status]?.content?.['application/json']?.schema?.$ref,
        }).toEqual({ path, status, schema: ERROR_SCHEMA });
      }
      expect(operation?.security).toEqual(expect.arrayContaining([{ candescentSession: [] }]));
    }
    expect(document.paths['/auth/logout']?.post?.security).toEqual([
      { candescentSession: [] },
      { candescentCookie: [], candescentCsrf: [] },
    ]);
  });

  it('gives every route a success answer and the error body schema on every documented error', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods ?? {}).flatMap(([method, operation]) => (operation ? [{ path, method, operation }] : [])),
    );
    expect(operations.length).toBeGreaterThanOrEqual(7);
    for (const { path, method, operation } of operations) {
      const statuses = Object.keys(operation.responses);
      expect({ path, method, success: statuses.some((s) => /^2\d\d$/.test(s)) }).toEqual({
        path,
        method,
        success: true,
      });
      if (path === '/health') continue; // Terminus answers its own report, not the error body.
      for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
        expect({
          path,
          method,
          status,
          schema: operation.responses[status]?.content?.['application/json']?.schema?.$ref,
        }).toEqual({ path, method, status, schema: ERROR_SCHEMA });
      }
    }
    const errorBody = document.components.schemas.CandescentErrorBodySchema;
    expect(Object.keys(errorBody?.properties ?? {}).sort()).toEqual([
      'error',
      'errorCode',
      'errorType',
      'message',
      'statusCode',
      'traceId',
    ]);
  });

  it('lists every operation under exactly one tag, so Swagger UI shows it once', () => {
    // Controller auto-tags on top of the routes' own tags put each operation in two groups.
    const tagged = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods ?? {}).map(([method, operation]) => ({ path, method, tags: operation?.tags ?? [] })),
    );
    expect(tagged.length).toBeGreaterThanOrEqual(7);
    for (const { path, method, tags } of tagged) {
      expect({ path, method, tags: tags.length }).toEqual({ path, method, tags: 1 });
    }
    expect(new Set(tagged.flatMap(({ tags }) => tags))).toEqual(new Set(['auth', 'customer', 'institution', 'health']));
  });

  it('declares the bearer, cookie and CSRF security schemes', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.candescentSession).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.candescentCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-candescent_session' });
    expect(schemes.candescentCsrf).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-csrf-token' });
  });

  it('serves Swagger UI at /docs with no inline script allowed', async () => {
    const reply = await sample.client.get('/docs');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('swagger-ui');
    const policy = reply.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});
