/** One account as the sandbox's banking endpoints return it. Every value is a string. */
export interface SandboxAccount {
  id: string;
  type: string;
  name: string;
  /** Decimal amount as a string, so no parser turns it into a float. */
  balance: string;
  currency: string;
}

/** A retail customer who can log in with the password grant. */
export interface SandboxCustomer {
  username: string;
  password: string;
  /** FI the customer belongs to; logins through another FI fail. */
  fiId: string;
  /** Customer GUID (`di_ficustomer`): 32 lowercase hex characters. */
  fiCustomerId: string;
  /** Kept as a string: leading zeros matter. Used as V2 `hostUserId`. */
  memberNumber: string;
  accounts: SandboxAccount[];
}
