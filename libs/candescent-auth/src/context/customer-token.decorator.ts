import { SetMetadata } from '@nestjs/common';

export const REQUIRE_CUSTOMER_TOKEN = 'candescent:requireCustomerToken';

/**
 * Outgoing Candescent calls made by this route (or controller) must carry a customer token:
 * without a customer session they fail instead of falling back to the institution token.
 */
export const RequireCustomerToken = (): MethodDecorator & ClassDecorator => SetMetadata(REQUIRE_CUSTOMER_TOKEN, true);
