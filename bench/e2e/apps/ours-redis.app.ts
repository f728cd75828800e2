import type { BenchAppFactory } from './bench-app';
import { createOursOutgoingApp } from './ours-outgoing.app';

/** Outgoing GET through this module with the Redis store (institution token shared by processes). */
export const createApp: BenchAppFactory = (config) => createOursOutgoingApp(config, 'redis');
