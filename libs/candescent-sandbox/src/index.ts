export { CandescentSandbox } from './sandbox';
export {
  DEFAULT_SANDBOX_CREDENTIALS,
  type SandboxCredentials,
  type SandboxInstitution,
  type SandboxInstitutionCustomer,
  type SandboxOptions,
  type SandboxSettingsPatch,
} from './sandbox.options';
export type { NewSandboxCustomer } from './sandbox-customers';
export { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from './demo-customers';
export { DEMO_INSTITUTIONS, SECOND_FI_DEMO_CREDENTIALS } from './demo-institutions';
export type { SandboxFault } from './sandbox-faults';
export type { SandboxAccount, SandboxCustomer } from './sandbox-customer.interface';
export type {
  AccountsCall,
  IsolationViolation,
  RecordedInstitutions,
  RecordedRequest,
  SandboxCounters,
  SandboxRoute,
} from './sandbox-records.interface';
