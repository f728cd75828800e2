import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { CANDESCENT_SPAN_NAMES } from '@candescent/auth';
import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { createSampleApp, type SampleApp } from '../../apps/sample/src/create-sample-app';
import { DEMO_CONTENT_SECURITY_POLICY } from '../../apps/sample/src/web/security-headers.middleware';
import { Client, type LoginBody, type Reply } from '../support/app-testing';
import { waitFor } from '../support/wait';

const [alice] = DEMO_CUSTOMERS;
// A caller's W3C trace context: the sample's request spans continue it.
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

describe('spans and metrics of the sample (OTEL_ENABLED=1)', () => {
  const exporter = new InMemorySpanExporter();
  let sample: SampleApp;
  let client: Client;

  beforeAll(async () => {
    sample = await createSampleApp(
      { OTEL_ENABLED: '1', METRICS_PORT: '0' },
      { logger: false, telemetry: { spanExporter: exporter } },
    );
    await sample.app.listen(0, '127.0.0.1');
    client = new Client(await sample.app.getUrl());
  });
  afterAll(() => sample.close());

  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const only = (name: string): ReadableSpan => {
    const found = named(name);
    expect({ name, count: found.length }).toEqual({ name, count: 1 });
    return found[0];
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const id = (span: ReadableSpan) => span.spanContext().spanId;

  it('links the login and a replayed outgoing call to their requests, and no attribute holds a secret', async () => {
    const login = await client.login(alice.username, alice.password, { traceparent });
    expect(login.status).toBe(200);
    const sessionToken = login.json<LoginBody>().sessionToken!;
    // Candescent refuses the customer's token once: the call renews it and replays.
    sample.sandbox!.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });
    const accounts = await client.get('/accounts', sessionToken, { traceparent });
    expect(accounts.status).toBe(200);
    await waitFor(
      () => named('GET /accounts').length === 1 && named('POST /auth/login').length === 1,
      2_000,
      'request spans',
    );

    // Login: request span (continuing the caller's trace) > login > password grant.
    const loginRequest = only('POST /auth/login');
    expect(loginRequest.spanContext().traceId).toBe(CALLER_TRACE);
    expect(parentOf(loginRequest)).toBe(CALLER_SPAN);
    const loginSpan = only(CANDESCENT_SPAN_NAMES.login);
    expect(parentOf(loginSpan)).toBe(id(loginRequest));
    expect(loginSpan.attributes).toMatchObject({ 'candescent.service': 'v2', 'candescent.outcome': 'success' });
    const tokenRequests = named(CANDESCENT_SPAN_NAMES.tokenRequest);
    const passwordGrant = tokenRequests.find((s) => s.attributes['candescent.grant'] === 'password');
    expect(passwordGrant && parentOf(passwordGrant)).toBe(id(loginSpan));
    expect(passwordGrant?.attributes).toMatchObject({
      'candescent.service': 'v2',
      'candescent.attempts': 1,
      'candescent.outcome': 'success',
    });

    // Outgoing call: request span > 401 replay > forced renewal > refresh grant.
    const accountsRequest = only('GET /accounts');
    const replay = only(CANDESCENT_SPAN_NAMES.replay);
    expect(parentOf(replay)).toBe(id(accountsRequest));
    expect(replay.attributes).toMatchObject({
      'candescent.service': 'v2',
      'candescent.token.kind': 'customer',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'candescent.outcome': 'success',
    });
    const renewal = only(CANDESCENT_SPAN_NAMES.renew);
    expect(parentOf(renewal)).toBe(id(replay));
    expect(renewal.attributes).toMatchObject({ 'candescent.renewal.forced': true, 'candescent.outcome': 'success' });
    const refreshGrant = tokenRequests.find((s) => s.attributes['candescent.grant'] === 'refresh_token');
    expect(refreshGrant && parentOf(refreshGrant)).toBe(id(renewal));
    // The module's trace id (error bodies, di_tid upstream) is on each of its spans.
    expect(replay.attributes['candescent.trace_id']).toMatch(/^[0-9a-f-]{36}$/);

    // Every secret that crossed the wire, none of which may appear in a span.
    const secrets = new Set<string>([alice.password, sessionToken, sample.sandbox!.credentials.consumerSecret]);
    for (const call of sample.sandbox!.accountsCalls()) secrets.add(call.accessToken);
    for (const request of sample.sandbox!.requests()) {
      for (const field of ['password', 'refresh_token', 'client_secret', 'token']) {
        const value = request.form[field];
        if (value) secrets.add(value);
      }
      if (request.headers.authorization) secrets.add(request.headers.authorization.replace(/^\S+ /, ''));
    }
    const tokens = [...secrets].filter((s) => s.length >= 8);
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    const recorded = JSON.stringify(
      spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
    );
    for (const secret of tokens) expect(recorded.includes(secret)).toBe(false);
  });

  const expectSecurityHeaders = (reply: Reply) => {
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('content-security-policy')).toBe(DEMO_CONTENT_SECURITY_POLICY);
  };

  it('serves the module metrics for Prometheus on a loopback port of their own', async () => {
    expect(sample.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const { origin } = new URL(sample.metricsUrl!);
    expect(origin).not.toBe(client.baseUrl);
    const reply = await new Client(origin).get('/metrics');
    expect(reply.status).toBe(200);
    expectSecurityHeaders(reply);
    expect(reply.text).toMatch(
      /candescent_token_requests_total\{service="v2",grant="password",outcome="success"[^}]*\} 1/,
    );
    expect(reply.text).toMatch(/candescent_sessions_total\{event="login"[^}]*\} 1/);
    expect(reply.text).toMatch(/candescent_sessions_total\{event="renewed"[^}]*\} 1/);
    // Nothing else is served there.
    const other = await new Client(origin).get('/health');
    expect(other.status).toBe(404);
    expectSecurityHeaders(other);
  });

  it("does not serve metrics on the app's port, and says so with the security headers", async () => {
    const reply = await client.get('/metrics');
    expect(reply.status).toBe(404);
    expect(reply.text).not.toContain('candescent_');
    expectSecurityHeaders(reply);
  });
});
