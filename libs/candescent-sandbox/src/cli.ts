#!/usr/bin/env node
import { describeSandbox, parseCliOptions } from './cli-options';
import { CandescentSandbox } from './sandbox';

/** Standalone sandbox: `npm run sandbox [-- --two-institutions]` (port from SANDBOX_PORT, default 4010). */
async function main(): Promise<void> {
  const sandbox = new CandescentSandbox(parseCliOptions(process.argv.slice(2), process.env));
  const url = await sandbox.start();
  // A terminal program: this output is its interface, and the values printed are demo ones.
  for (const line of describeSandbox(sandbox, url)) console.log(line);

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

main().catch((error: unknown) => {
  console.error('The Candescent sandbox could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
