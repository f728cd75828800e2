import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from './demo-customers';
import { DEFAULT_SANDBOX_CREDENTIALS, type SandboxCredentials, type SandboxInstitution } from './sandbox.options';

/** Consumer key and secret of the second demo FI, `00043`: another app than FI 00042's. */
export const SECOND_FI_DEMO_CREDENTIALS: Readonly<SandboxCredentials> = Object.freeze({
  consumerKey: 'sandbox-consumer-key-00043',
  consumerSecret: 'sandbox-consumer-secret-00043',
  fiId: '00043',
});

/**
 * Two demo FIs, each with its own consumer credentials and customers, for
 * `new CandescentSandbox({ institutions: DEMO_INSTITUTIONS })`: FI `00042` is the default one
 * (`DEFAULT_SANDBOX_CREDENTIALS`, `DEMO_CUSTOMERS`), FI `00043` has `SECOND_FI_DEMO_CREDENTIALS`
 * and `SECOND_FI_DEMO_CUSTOMERS`.
 */
export const DEMO_INSTITUTIONS: ReadonlyArray<Readonly<SandboxInstitution>> = Object.freeze([
  Object.freeze({ ...DEFAULT_SANDBOX_CREDENTIALS, customers: DEMO_CUSTOMERS }),
  Object.freeze({ ...SECOND_FI_DEMO_CREDENTIALS, customers: SECOND_FI_DEMO_CUSTOMERS }),
]);
