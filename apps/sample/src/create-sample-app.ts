import type { INestApplication } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CandescentSandbox, DEMO_INSTITUTIONS, type SandboxOptions } from '@candescent/sandbox';
import { AppModule } from './app.module';
import { embeddedInstitutions } from './institutions/sample-institutions';
import { JsonDepthPipe } from './http/json-depth.pipe';
import { readSampleEnvironment, type SampleEnvironment } from './sample-config';
import type { SampleTelemetryHooks } from './telemetry/sample-telemetry';
import { installSampleWeb } from './web/sample-web';
import { securityHeaders } from './web/security-headers.middleware';

/** A sample app ready to listen, with the embedded sandbox when no Candescent URL was given. */
export interface SampleApp {
  app: INestApplication;
  environment: SampleEnvironment;
  /** Set when the embedded sandbox was started; stopped by `close()`. */
  sandbox?: CandescentSandbox;
  /** Set when metrics are served for Prometheus: on 127.0.0.1:`METRICS_PORT`, not the app's port. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/**
 * Builds the sample app from an environment. Without `CANDESCENT_INSTITUTIONS` or
 * `CANDESCENT_BASE_URL` it starts the sandbox in-process with its two demo FIs (`cu-north`, FI
 * 00042, the default; `cu-harbor`, FI 00043) and serves both, as `CANDESCENT_INSTITUTIONS` would.
 * `options.sandbox` may name other FIs (`institutions`, or the single-app `fiIds`...).
 */
export async function createSampleApp(
  env: Record<string, string | undefined>,
  options: { sandbox?: SandboxOptions; logger?: false; telemetry?: SampleTelemetryHooks } = {},
): Promise<SampleApp> {
  const environment = readSampleEnvironment(env);
  let sandbox: CandescentSandbox | undefined;
  if (!environment.CANDESCENT_BASE_URL && !environment.CANDESCENT_INSTITUTIONS) {
    // One origin for both FIs: they differ only by FI id and consumer key, so nothing but the
    // module's bookkeeping keeps them apart, and the sandbox sees (and lists) every mix-up.
    sandbox = new CandescentSandbox(withDemoInstitutions(options.sandbox));
    await sandbox.start();
    environment.CANDESCENT_INSTITUTIONS = JSON.stringify(embeddedInstitutions(sandbox));
  }
  try {
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forEnvironment(environment, sandbox !== undefined),
      {
        logger: options.logger,
        abortOnError: false,
        // JSON bodies only: a form-encoded POST needs no CORS preflight, so accepting one would
        // let any site submit a login form (login CSRF with cookie sessions).
        bodyParser: false,
      },
    );
    // Security headers and `no-store` first, so that every answer carries them: the body
    // parser's refusals (400 malformed JSON, 413 too large) answer before any later middleware.
    app.use(securityHeaders);
    app.useBodyParser('json', { limit: '100kb' });
    if (environment.TRUST_PROXY) app.set('trust proxy', trustProxyValue(environment.TRUST_PROXY));
    app.disable('x-powered-by');
    // Demo page, /docs and telemetry (web/sample-web.ts).
    const telemetry = await installSampleWeb(app, environment, options.telemetry);
    app.useGlobalPipes(
      new JsonDepthPipe(),
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
    app.enableShutdownHooks();
    return {
      app,
      environment,
      sandbox,
      metricsUrl: telemetry.metricsUrl,
      close: async () => {
        await app.close();
        await telemetry.stop();
        await sandbox?.stop();
      },
    };
  } catch (error: unknown) {
    await sandbox?.stop();
    throw error;
  }
}

/** The sandbox's demo FIs, unless the options name the FIs themselves. */
function withDemoInstitutions(options: SandboxOptions = {}): SandboxOptions {
  const namesFis = (['institutions', 'consumerKey', 'consumerSecret', 'fiIds', 'seedDemoCustomers'] as const).some(
    (name) => options[name] !== undefined,
  );
  return namesFis ? options : { ...options, institutions: DEMO_INSTITUTIONS };
}

/** `TRUST_PROXY` as Express takes it: a hop count, true/false, or addresses and names. */
function trustProxyValue(value: string): number | boolean | string {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
