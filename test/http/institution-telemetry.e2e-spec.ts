import { Controller, Get, type INestApplication, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Attributes, context, metrics, type MeterProvider, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { firstValueFrom } from 'rxjs';
import { CandescentAuthModule, CandescentHttpService, CandescentSessionService } from '@candescent/auth';
import {
  type CandescentSandbox,
  DEMO_CUSTOMERS,
  DEMO_INSTITUTIONS,
  SECOND_FI_DEMO_CREDENTIALS,
  SECOND_FI_DEMO_CUSTOMERS,
} from '@candescent/sandbox';
import { startSandbox } from '../support/sandbox';

type Recorded = { instrument: string; attributes: Attributes };

/** A meter provider that records every measurement, standing in for an SDK. */
function recordingProvider(records: Recorded[]): MeterProvider {
  const instrument = (name: string) => ({
    add: (_value: number, attributes: Attributes = {}) => records.push({ instrument: name, attributes }),
    record: (_value: number, attributes: Attributes = {}) => records.push({ instrument: name, attributes }),
  });
  return { getMeter: () => ({ createCounter: instrument, createHistogram: instrument }) } as unknown as MeterProvider;
}

@Controller('back-office')
class BackOfficeController {
  constructor(private readonly http: CandescentHttpService) {}

  @Get('accounts')
  async accounts(@Query('institution') institution: string): Promise<number> {
    const response = await firstValueFrom(
      this.http.forInstitution(institution).get('/db-accounts/v1/accounts', { params: { loginId: 'back-office' } }),
    );
    return response.status;
  }
}

/**
 * With hundreds of institutions in one process, an operator must see which FI a token request,
 * a login or an open circuit belongs to: every metric and span the module records carries the
 * institution's id, and nothing secret.
 */
describe('metrics and spans name their institution', () => {
  const records: Recorded[] = [];
  const exporter = new InMemorySpanExporter();
  const tracer = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let gateway: CandescentSandbox;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(recordingProvider(records));
    tracer.register();
    gateway = await startSandbox({ institutions: [...DEMO_INSTITUTIONS] });
    @Module({
      imports: [
        CandescentAuthModule.forRoot({
          institutions: [
            { id: 'north', baseUrl: gateway.url, ...gateway.credentialsFor('00042') },
            { id: 'south', baseUrl: gateway.url, ...gateway.credentialsFor('00043') },
          ],
        }),
      ],
      controllers: [BackOfficeController],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await gateway.stop();
    await tracer.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
    metrics.disable();
  });

  it('tags token requests, cache lookups, logins, logouts and their spans with the institution id', async () => {
    const sessions = app.get(CandescentSessionService);
    const [north] = DEMO_CUSTOMERS;
    const [south] = SECOND_FI_DEMO_CUSTOMERS;
    await sessions.login(north);
    const southLogin = await sessions.login(south, { institution: 'south' });
    await sessions.logout((await sessions.authenticate(southLogin.sessionToken)).id);
    const status = await fetch(`${url}/back-office/accounts?institution=south`).then(
      (r) => r.json() as Promise<number>,
    );
    expect(status).toBe(200);

    const of = (instrument: string) => records.filter((r) => r.instrument === instrument).map((r) => r.attributes);
    expect(of('candescent.sessions')).toEqual([
      { event: 'login', institution: 'north' },
      { event: 'login', institution: 'south' },
      { event: 'logout', institution: 'south' },
    ]);
    const requests = of('candescent.token.requests');
    // Two password grants (one per login, on each configured service) and one client grant, all at their own FI.
    expect(new Set(requests.filter((a) => a.grant === 'password').map((a) => a.institution))).toEqual(
      new Set(['north', 'south']),
    );
    expect(requests.filter((a) => a.grant === 'client_credentials').map((a) => a.institution)).toEqual(['south']);
    expect(of('candescent.token.cache')).toEqual([{ result: 'miss', service: 'v2', institution: 'south' }]);

    const spans = exporter.getFinishedSpans();
    const institutionOfSpans = (name: string) =>
      spans.filter((s) => s.name === name).map((s) => s.attributes['candescent.institution']);
    expect(institutionOfSpans('candescent.session.login')).toEqual(['north', 'south']);
    expect(institutionOfSpans('candescent.session.logout')).toEqual(['south']);
    const tokenSpans = spans.filter((s) => s.name === 'candescent.token.request');
    expect(tokenSpans.length).toBeGreaterThanOrEqual(3);
    for (const span of tokenSpans) expect(['north', 'south']).toContain(span.attributes['candescent.institution']);

    const printed = JSON.stringify([records, spans.map((s) => s.attributes)]);
    expect(printed).not.toContain(SECOND_FI_DEMO_CREDENTIALS.consumerSecret);
    expect(printed).not.toContain(south.password);
  });
});
