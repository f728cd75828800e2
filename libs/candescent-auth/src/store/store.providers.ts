import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import { sha256Base64Url } from '../crypto/sha256';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentClock } from '../token/candescent-clock';
import { CANDESCENT_STORE, type CandescentStore } from './candescent-store.interface';
import { MemoryStore } from './memory.store';
import { RedisStore } from './redis.store';

/**
 * What every Redis value is bound to: the gateway origin, consumer key and FI id, hashed so the
 * consumer key is never kept. Another app sharing Redis and the store key (the default prefix is
 * the same for all) then cannot use this app's sessions, nor this app theirs.
 */
function storeBinding(options: Pick<ResolvedCandescentAuthOptions, 'origin' | 'consumerKey' | 'fiId'>): string {
  return sha256Base64Url(JSON.stringify([options.origin, options.consumerKey, options.fiId]));
}

/**
 * The store from the options: the app's own (`store`), Redis (encrypted values; a URL or
 * Sentinels the store connects to, or the app's client), or process memory.
 */
export const candescentStoreProvider: Provider = {
  provide: CANDESCENT_STORE,
  useFactory: (options: ResolvedCandescentAuthOptions, clock: CandescentClock): CandescentStore => {
    if (options.store) return options.store;
    if (!options.redis) return new MemoryStore({ now: () => clock.now() });
    return new RedisStore({
      url: options.redis.url,
      client: options.redis.client,
      sentinels: options.redis.sentinels,
      name: options.redis.name,
      cluster: options.redis.cluster,
      username: options.redis.username,
      password: options.redis.password,
      tls: options.redis.tls,
      sentinelUsername: options.redis.sentinelUsername,
      sentinelPassword: options.redis.sentinelPassword,
      sentinelTls: options.redis.sentinelTls,
      encryptionKey: options.redis.encryptionKey,
      encryptionKeys: options.redis.encryptionKeys,
      keyPrefix: options.redis.keyPrefix,
      failoverDeadlineMs: options.redis.failoverDeadlineMs,
      boundTo: storeBinding(options),
    });
  },
  inject: [CANDESCENT_RESOLVED_OPTIONS, CandescentClock],
};

/** Closes the store's connections when the application shuts down, unless the app gave its own store. */
@Injectable()
export class CandescentStoreCloser implements OnApplicationShutdown {
  constructor(
    @Inject(CANDESCENT_STORE) private readonly store: CandescentStore,
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // RedisStore itself leaves an app-owned client open.
    if (this.options.store) return;
    await this.store.close?.();
  }
}
