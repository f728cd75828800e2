import { randomBytes, randomInt } from 'node:crypto';
import type { SandboxCustomer } from './sandbox-customer.interface';

/** What `addCustomer()` needs; the rest is generated. */
export interface NewSandboxCustomer {
  /** Login id (unique per FI). */
  username: string;
  /** Password for the password grant. */
  password: string;
  /** The FI (default: the first the sandbox serves); must be one it serves. */
  fiId?: string;
  /** Member number (default: generated). */
  memberNumber?: string;
}

/** The sandbox's customer directory, looked up the ways the emulated services do. */
export class SandboxCustomerRegistry {
  private readonly list: SandboxCustomer[] = [];

  /** Stores a copy, so callers cannot change a customer behind the sandbox's back. */
  add(customer: SandboxCustomer): SandboxCustomer {
    if (this.findByLoginId(customer.fiId, customer.username)) {
      throw new Error(
        `CandescentSandbox: username '${customer.username}' already exists in FI ${customer.fiId}; pick another`,
      );
    }
    if (this.findByFiCustomerId(customer.fiId, customer.fiCustomerId)) {
      throw new Error(
        `CandescentSandbox: fiCustomerId '${customer.fiCustomerId}' already exists in FI ${customer.fiId}; ` +
          'each customer of an FI needs its own',
      );
    }
    const stored = copyCustomer(customer);
    this.list.push(stored);
    return copyCustomer(stored);
  }

  /** Generates the GUID, a member number when none is given, and two accounts. */
  create(input: NewSandboxCustomer, defaultFiId: string): SandboxCustomer {
    if (!input.username || !input.password) {
      throw new Error('CandescentSandbox: addCustomer needs a non-empty username and password');
    }
    const fiId = input.fiId ?? defaultFiId;
    const memberNumber = input.memberNumber ?? this.freshMemberNumber(fiId);
    const accountId = (): string => randomBytes(6).toString('hex');
    return this.add({
      username: input.username,
      password: input.password,
      fiId,
      fiCustomerId: randomBytes(16).toString('hex'),
      memberNumber,
      accounts: [
        { id: accountId(), type: 'CHECKING', name: 'Everyday Checking', balance: '1200.00', currency: 'USD' },
        { id: accountId(), type: 'SAVINGS', name: 'Savings', balance: '5400.25', currency: 'USD' },
      ],
    });
  }

  all(): SandboxCustomer[] {
    return this.list.map(copyCustomer);
  }

  /** Password check scoped to the FI: a customer of another FI cannot log in here. */
  findByLogin(fiId: string, username: string, password: string): SandboxCustomer | undefined {
    const customer = this.findByLoginId(fiId, username);
    return customer?.password === password ? customer : undefined;
  }

  findByLoginId(fiId: string, username: string): SandboxCustomer | undefined {
    return this.list.find((c) => c.fiId === fiId && c.username === username);
  }

  findByMemberNumber(fiId: string, memberNumber: string): SandboxCustomer | undefined {
    return this.list.find((c) => c.fiId === fiId && c.memberNumber === memberNumber);
  }

  /** Scoped to the FI too, so a token of one FI never reads a customer of another. */
  findByFiCustomerId(fiId: string, fiCustomerId: string): SandboxCustomer | undefined {
    return this.list.find((c) => c.fiId === fiId && c.fiCustomerId === fiCustomerId);
  }

  private freshMemberNumber(fiId: string): string {
    for (;;) {
      const candidate = String(randomInt(100_000_000, 1_000_000_000));
      if (!this.findByMemberNumber(fiId, candidate)) return candidate;
    }
  }
}

function copyCustomer(customer: SandboxCustomer): SandboxCustomer {
  return { ...customer, accounts: customer.accounts.map((a) => ({ ...a })) };
}
