import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The installed `candescent-sandbox` bin (what `npx candescent-sandbox` runs): it must start and answer. */
async function main(): Promise<void> {
  const child = spawn('node_modules/.bin/candescent-sandbox', [], {
    env: { ...process.env, SANDBOX_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 15 s; output: ${output}`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}; output: ${output}`)));
    });
    const response = await fetch(`${url}/oauth2/v1/token`, { method: 'POST' });
    assert.equal(
      response.status >= 400 && response.status < 500,
      true,
      `unauthenticated token request answered ${response.status}`,
    );
    console.log(`candescent-sandbox bin: listening on ${url}, refuses an unauthenticated token request: ok`);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
