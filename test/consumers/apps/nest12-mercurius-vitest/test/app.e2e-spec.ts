import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { GraphqlAppModule } from './../src/graphql/graphql-app.module.js';
import { graphqlModule } from './../src/driver.js';
import { runGraphqlScenario } from './../src/graphql/graphql-scenario.js';

// The e2e test `nest new` makes (Vitest globals), for a GraphQL app with the Mercurius driver on Fastify.
describe('GraphQL (Mercurius on Fastify) on the Candescent sandbox (e2e)', () => {
  const sandbox = new CandescentSandbox();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const baseUrl = await sandbox.start();
    const moduleFixture = await Test.createTestingModule({
      imports: [GraphqlAppModule.forCandescent({ baseUrl, ...sandbox.credentials }, graphqlModule())],
    }).compile();
    app = moduleFixture.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: ['error'] });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await sandbox.stop();
  });

  it('logs in, queries as the customer, lets an open resolver through and reports errors in extensions', async () => {
    const steps = await runGraphqlScenario(await app.getUrl(), sandbox, DEMO_CUSTOMERS[1]);
    expect(steps).toEqual([
      'login',
      'guarded query (customer token)',
      '@SkipCandescentAuth() query without a session',
      'no session (SESSION_MISSING)',
      'Candescent 429 (UPSTREAM_429, retryAfterSeconds)',
    ]);
  });
});
