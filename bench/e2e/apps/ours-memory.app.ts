import type { BenchAppFactory } from './bench-app';
import { createOursOutgoingApp } from './ours-outgoing.app';

/** Outgoing GET through this module, sessions and shared tokens in process memory. */
export const createApp: BenchAppFactory = (config) => createOursOutgoingApp(config, 'memory');
