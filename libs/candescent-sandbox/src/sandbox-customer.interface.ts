/** One account as the sandbox's banking endpoints return it. Every value is a string. */
export interface SandboxAccount {
  /** Account id. */
  id: string;
  /** Account type (`CHECKING`, `SAVINGS`, ...). */
  type: string;
  /** Display name. */
  name: string;
  /** Decimal amount as a string, so no parser turns it into a float. */
  balance: string;
  /** ISO 4217 currency code. */
  currency: string;
}

/** A retail customer who can log in with the password grant. */
export interface SandboxCustomer {
  /** Login id for the password grant. */
  username: string;
  /** Password for the password grant (a demo value, never a real one). */
  password: string;
  /** FI the customer belongs to; logins through another FI fail. */
  fiId: string;
  /** Customer GUID (`di_ficustomer`): 32 lowercase hex characters. */
  fiCustomerId: string;
  /** Kept as a string: leading zeros matter. Used as V2 `hostUserId`. */
  memberNumber: string;
  /** What the accounts endpoints return for the customer. */
  accounts: SandboxAccount[];
}
