import type { BenchAppFactory } from './bench-app';
import { createPlainWithModuleApp } from './plain-with-module.app';

/** The unrelated route in an app with the module that has served a session request. */
export const createApp: BenchAppFactory = (config) => createPlainWithModuleApp(config, true);
