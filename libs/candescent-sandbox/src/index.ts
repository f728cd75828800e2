export { CandescentSandbox } from './sandbox';
export { DEFAULT_SANDBOX_CREDENTIALS, type SandboxOptions } from './sandbox.options';
export { DEMO_CUSTOMERS } from './demo-customers';
export type { SandboxFault } from './sandbox-faults';
export type { SandboxAccount, SandboxCustomer } from './sandbox-customer.interface';
export type { AccountsCall, RecordedRequest, SandboxCounters, SandboxRoute } from './sandbox-records.interface';
