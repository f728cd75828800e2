import { validateOptions } from '../options/validate-options';
import type { CandescentAuthModuleOptions } from '../options/candescent-auth.options';

/**
 * Checks module options as start-up does, for an app's own test of its configuration: throws the
 * `CandescentConfigurationError` start-up would throw (every bad field listed, no value echoed).
 */
export function checkCandescentAuthOptions(options: CandescentAuthModuleOptions): void {
  validateOptions(options);
}
