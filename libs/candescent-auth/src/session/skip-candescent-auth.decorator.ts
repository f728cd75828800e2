import { SetMetadata } from '@nestjs/common';

/** Metadata key of `@SkipCandescentAuth()`; its own name, so it never collides with an app's `@Public()`. */
export const SKIP_CANDESCENT_AUTH = 'candescent:skipAuth';

/**
 * Lets a route (or controller) through `CandescentAuthGuard` when the guard is registered app-wide
 * (`APP_GUARD`). Named for this guard alone, so it sits beside an app's own `@Public()` (Nest's
 * auth recipe) without either guard reading the other's marker.
 */
export const SkipCandescentAuth = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_CANDESCENT_AUTH, true);
