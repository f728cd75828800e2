import type { INestApplication } from '@nestjs/common';

/** What the bench hands to every app under test (passed as JSON on the child's command line). */
export interface BenchAppConfig {
  /** The backend gateway: Candescent token service and the upstream GET, one origin. */
  gatewayUrl: string;
  /** A Redis shared by the contenders that can use one. */
  redisUrl?: string;
  /** AES-256 key of the module's Redis store (base64). */
  encryptionKey?: string;
}

/** An app under test, created but not listening yet. */
export interface BenchApp {
  app: INestApplication;
  /** A session handle logged in before the measured window (apps with guarded routes). */
  sessionHandle?: string;
}

/** One file per contender app exports `createApp` of this type. */
export type BenchAppFactory = (config: BenchAppConfig) => Promise<BenchApp>;

/** Nest's own start-up lines would drown the bench's output; errors must still show. */
export const QUIET_LOGGER = { logger: ['error' as const, 'warn' as const] };
