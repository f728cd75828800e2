import { SetMetadata } from '@nestjs/common';

/** Route metadata: the institutions whose customers a route admits. */
export const REQUIRED_INSTITUTIONS = Symbol('candescentRequiredInstitutions');

/**
 * Admits only customers of these institutions (their ids) to a route or controller guarded by
 * `CandescentAuthGuard`; any other customer gets 403 `INSTITUTION_NOT_ALLOWED`.
 */
export const RequireInstitution = (...institutions: [string, ...string[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_INSTITUTIONS, institutions);
