import { basicCredentials, safeEqual } from './request-checks';
import type { SandboxCredentials } from './sandbox.options';

/** One consumer app: a key and secret, and the FIs it is enabled for. */
export interface SandboxApp {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly fiIds: readonly string[];
}

/** Which FIs the two halves of presented Basic credentials belong to; never the values. */
export interface CredentialFiIds {
  /** FIs of the app the consumer key names; empty for an unknown key. */
  consumerKeyFiIds: string[];
  /** FIs of every app whose secret was presented; empty when it is no app's secret. */
  consumerSecretFiIds: string[];
}

/**
 * The consumer apps the sandbox knows, made from its institutions: institutions that share a
 * consumer key are one app enabled for several FIs.
 */
export class SandboxApps {
  private readonly apps: SandboxApp[] = [];

  constructor(institutions: readonly SandboxCredentials[]) {
    for (const { consumerKey, consumerSecret, fiId } of institutions) {
      const app = this.apps.find((candidate) => candidate.consumerKey === consumerKey);
      if (app) (app.fiIds as string[]).push(fiId);
      else this.apps.push({ consumerKey, consumerSecret, fiIds: [fiId] });
    }
  }

  /** The app whose key and secret `Authorization: Basic` carries, or undefined. */
  authenticate(authorization: string | undefined): SandboxApp | undefined {
    const presented = basicCredentials(authorization);
    if (!presented) return undefined;
    return this.apps.find(
      (app) => safeEqual(presented.key, app.consumerKey) && safeEqual(presented.secret, app.consumerSecret),
    );
  }

  /** For the isolation records: whose key and whose secret were presented, as FI ids. */
  describe(authorization: string | undefined): CredentialFiIds | undefined {
    const presented = basicCredentials(authorization);
    if (!presented) return undefined;
    const byKey = this.apps.find((app) => safeEqual(presented.key, app.consumerKey));
    return {
      consumerKeyFiIds: [...(byKey?.fiIds ?? [])],
      consumerSecretFiIds: this.apps
        .filter((app) => safeEqual(presented.secret, app.consumerSecret))
        .flatMap((app) => app.fiIds),
    };
  }

  /** Whether any app is enabled for the FI. */
  serves(fiId: string): boolean {
    return this.apps.some((app) => app.fiIds.includes(fiId));
  }
}
