#!/usr/bin/env node
import { CandescentSandbox } from './sandbox';

/** Standalone sandbox: `npm run sandbox` (port from SANDBOX_PORT, default 4010). */
async function main(): Promise<void> {
  const port = parsePort(process.env.SANDBOX_PORT);
  const sandbox = new CandescentSandbox({ host: '127.0.0.1', port });
  const url = await sandbox.start();
  const { consumerKey, consumerSecret, fiId } = sandbox.credentials;

  // A terminal program: this output is its interface, and the values printed are demo ones.
  console.log(`Candescent sandbox listening on ${url}`);
  console.log(`  consumer key:    ${consumerKey}`);
  console.log(`  consumer secret: ${consumerSecret}`);
  console.log(`  FI id:           ${fiId}`);
  console.log('  V1 token:        POST /v1/oauth/token');
  console.log('  V2 token:        POST /oauth2/v1/token   revoke: DELETE /oauth2/v1/revoke');
  console.log('  accounts:        GET /db-accounts/v1/accounts');
  console.log('                   GET /bankingservices/v2/fis/{di_fiid}/fiCustomers/{di_ficustomer}/accounts');
  console.log('  demo customers:');
  for (const customer of sandbox.customers()) {
    console.log(
      `    ${customer.username} / ${customer.password}  (FI ${customer.fiId}, member ${customer.memberNumber}, ` +
        `di_ficustomer ${customer.fiCustomerId})`,
    );
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping the sandbox`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('The sandbox did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SANDBOX_PORT must be a port number between 0 and 65535, got '${raw}'`);
  }
  return port;
}

main().catch((error: unknown) => {
  console.error('The Candescent sandbox could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
