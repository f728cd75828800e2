import type { CandescentService } from './candescent-service';

/** OAuth grants the module uses. */
export type CandescentTokenGrant = 'client_credentials' | 'password' | 'refresh_token';

/**
 * A token as the module keeps it: validated, with numbers converted and expiry turned into an
 * absolute time taken when the response was received. Access tokens are opaque; never decoded.
 */
export interface CandescentToken {
  /** Which token service issued it (decides the headers of downstream calls). */
  service: CandescentService;
  /** The grant that produced it (`refresh_token` for a rotated customer token). */
  grant: CandescentTokenGrant;
  /** The bearer token. Never log it. */
  accessToken: string;
  /** Always `Bearer`; V1 does not send it. */
  tokenType: 'Bearer';
  /** When the response was received (ms since epoch, from the module clock). */
  issuedAt: number;
  /** `issuedAt + expires_in` (ms since epoch). */
  expiresAt: number;
  /** Present for password and refresh grants. */
  refreshToken?: string;
  /** Absolute expiry of the refresh token when the service said (ms since epoch). */
  refreshTokenExpiresAt?: number;
  /** Scopes requested for it (V2), when any. */
  scopes?: string[];
  /** V1: the FI id, exactly as sent (leading zeros kept). */
  fiId?: string;
  /** V1: the customer GUID, the path parameter of customer APIs. */
  fiCustomerId?: string;
  /** V1: the member number, kept as a string. */
  memberNumber?: string;
}
