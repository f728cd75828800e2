import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'candescent:public';

/** Lets a route (or controller) through `CandescentAuthGuard` when it is used as APP_GUARD. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
