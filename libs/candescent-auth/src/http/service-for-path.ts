import type { CandescentService } from '../token/candescent-service';

/**
 * Chooses the token service for a downstream path (relative to the base URL's path). With one
 * service configured it is always that one; with both, legacy paths take V1.
 */
export function serviceForPath(
  path: string,
  services: readonly CandescentService[],
  legacy: RegExp,
): CandescentService {
  if (services.length === 1) return services[0] ?? 'v2';
  return legacy.test(path) ? 'v1' : 'v2';
}
