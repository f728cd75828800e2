import type { CandescentToken } from './candescent-token.interface';

/** Who a customer token set belongs to. Never holds a secret. */
export interface CandescentCustomerIdentity {
  /** The FI the customer belongs to. */
  fiId: string;
  /** The login id the customer signed in with (V2 `loginId`). */
  loginId: string;
  /** The customer GUID (`di_ficustomer`), known when the V1 service issued a token. */
  fiCustomerId?: string;
  /** The member number (`di_member_number`), known when the V1 service issued a token. */
  memberNumber?: string;
  /**
   * The institution (its id in the module's options) the customer logged in at. Left out for
   * the one institution of options that name a single FI at the top (`'default'`).
   */
  institution?: string;
}

/** The customer's tokens after login: one per configured token service. */
export interface CandescentTokenSet {
  /** Whom the tokens belong to. */
  customer: CandescentCustomerIdentity;
  /** The V1 (legacy) token, when the V1 service is configured. */
  v1?: CandescentToken;
  /** The V2 token, when the V2 service is configured. */
  v2?: CandescentToken;
}
