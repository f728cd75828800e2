import type { SandboxCustomer } from './sandbox-customer.interface';

/**
 * Customers seeded into every sandbox unless `seedDemoCustomers` is false. All belong to FI
 * `00042`. Ids are fixed so docs and tests can name them; member numbers and account ids keep
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

function deepFreeze(customers: SandboxCustomer[]): ReadonlyArray<SandboxCustomer> {
  for (const customer of customers) {
    customer.accounts.forEach((account) => Object.freeze(account));
    Object.freeze(customer.accounts);
    Object.freeze(customer);
  }
  return Object.freeze(customers);
}
