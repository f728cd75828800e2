import type { SandboxCustomer } from './sandbox-customer.interface';

/**
 * Customers seeded into every sandbox made with the single-app options unless
 * `seedDemoCustomers` is false (with `institutions`, give them as FI 00042's `customers`, as
 * `DEMO_INSTITUTIONS` does). All belong to FI `00042`. Ids are fixed so docs and tests can name them; member numbers and account ids keep
 * leading zeros on purpose, to catch parsers that turn them into numbers.
 */
export const DEMO_CUSTOMERS: ReadonlyArray<SandboxCustomer> = deepFreeze([
  {
    username: 'alice',
    password: 'Sandbox-Alice-2026!',
    fiId: '00042',
    fiCustomerId: '0c1f5e9a7b3d4e2f8a6b9c0d1e2f3a4b',
    memberNumber: '100200300',
    accounts: [
      { id: '0042000101', type: 'CHECKING', name: 'Everyday Checking', balance: '2450.17', currency: 'USD' },
      { id: '0042000102', type: 'SAVINGS', name: 'Rainy Day Savings', balance: '10250.00', currency: 'USD' },
    ],
  },
  {
    username: 'bob',
    password: 'Sandbox-Bob-2026!',
    fiId: '00042',
    fiCustomerId: '5d2a7c4e9b1f4a3c8e6d0b2f4a6c8e01',
    memberNumber: '000482913',
    accounts: [
      { id: '0042000201', type: 'CHECKING', name: 'Student Checking', balance: '312.40', currency: 'USD' },
      { id: '0042000202', type: 'CREDIT_CARD', name: 'Cashback Visa', balance: '-845.99', currency: 'USD' },
    ],
  },
  {
    username: 'carol',
    password: 'Sandbox-Carol-2026!',
    fiId: '00042',
    fiCustomerId: '9e8d7c6b5a4f4e3d8c2b1a0f9e8d7c6b',
    memberNumber: '300400500',
    accounts: [
      { id: '0042000301', type: 'SAVINGS', name: 'Holiday Savings', balance: '1500.00', currency: 'USD' },
      { id: '0042000302', type: 'CERTIFICATE', name: '12-Month CD', balance: '25000.00', currency: 'USD' },
    ],
  },
]);

/**
 * Customers of the second demo FI, `00043` (see `DEMO_INSTITUTIONS`). `alice` exists at both FIs
 * with the same password but another `di_ficustomer`, member number and accounts, as a person
 * who banks at two institutions and reuses a password would: a login sent to the wrong FI then
 * succeeds, and only the data tells the two apart.
 */
export const SECOND_FI_DEMO_CUSTOMERS: ReadonlyArray<SandboxCustomer> = deepFreeze([
  {
    username: 'alice',
    password: 'Sandbox-Alice-2026!',
    fiId: '00043',
    fiCustomerId: '7a41c2e08d9b4f65a3c1e7d20b9f4c58',
    memberNumber: '043000717',
    accounts: [
      { id: '0043000101', type: 'CHECKING', name: 'Harbor Checking', balance: '87.03', currency: 'USD' },
      { id: '0043000102', type: 'MONEY_MARKET', name: 'Harbor Money Market', balance: '61020.50', currency: 'USD' },
    ],
  },
  {
    username: 'frank',
    password: 'Sandbox-Frank-2026!',
    fiId: '00043',
    fiCustomerId: 'c3b9e1f04a7d4e28b6f50d9a1e3c7b22',
    memberNumber: '000430021',
    accounts: [
      { id: '0043000201', type: 'CHECKING', name: 'Harbor Checking', balance: '1999.99', currency: 'USD' },
      { id: '0043000202', type: 'SAVINGS', name: 'Harbor Savings', balance: '300.00', currency: 'USD' },
    ],
  },
]);

function deepFreeze(customers: SandboxCustomer[]): ReadonlyArray<SandboxCustomer> {
  for (const customer of customers) {
    customer.accounts.forEach((account) => Object.freeze(account));
    Object.freeze(customer.accounts);
    Object.freeze(customer);
  }
  return Object.freeze(customers);
}
