/**
 * Test helpers for apps that use the module: a local Candescent emulator that speaks both token
 * services and a few banking endpoints, started on a free loopback port.
 */
export {
  CandescentSandbox,
  DEFAULT_SANDBOX_CREDENTIALS,
  DEMO_CUSTOMERS,
  DEMO_INSTITUTIONS,
  SECOND_FI_DEMO_CREDENTIALS,
  SECOND_FI_DEMO_CUSTOMERS,
  type AccountsCall,
  type IsolationViolation,
  type RecordedInstitutions,
  type RecordedRequest,
  type SandboxAccount,
  type SandboxCounters,
  type SandboxCredentials,
  type SandboxCustomer,
  type SandboxFault,
  type SandboxInstitution,
  type SandboxInstitutionCustomer,
  type SandboxOptions,
  type SandboxRoute,
} from '@candescent/sandbox';
/**
 * Checks module options as start-up does and returns them with the defaults merged: for an app's
 * own tests of its configuration (the module calls it itself; an app never has to).
 */
export { validateOptions } from '../options/validate-options';
