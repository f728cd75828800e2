import type { BenchAppFactory } from './bench-app';
import { createSessionApp } from './session-app';

/** Guarded and open routes with the module's memory store. */
export const createApp: BenchAppFactory = (config) => createSessionApp(config, 'memory');
