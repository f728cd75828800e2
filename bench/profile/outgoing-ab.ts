import { join } from 'node:path';
import { HttpService } from '@nestjs/axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import { CandescentHttpService } from '@candescent/auth';
import { BENCH_APPS, type BenchAppName } from '../e2e/apps';
import { ChildHandle } from '../e2e/child-handle';
import { UPSTREAM_PATH } from '../e2e/upstream.constants';

/** Calls in flight at once, as many as autocannon's connections would keep busy. */
const CONCURRENCY = 32;

interface Contender {
  name: string;
  http: HttpService;
  close: () => Promise<void>;
  micros: number[];
}

/**
 * The outgoing call alone, without the incoming request around it: each app's HttpService is
 * called in this process (no autocannon, no Nest route), the contenders interleaved round by
 * round, and the process's CPU time per call is compared with the first contender's (median of
 * the rounds). With `--fake-adapter` nothing goes on the wire (each call is answered by a
 * stand-in adapter), which leaves only the interceptors' and axios's work: where a library's own
 * cost per call shows without the network's noise.
 *
 * `node dist/bench/profile/outgoing-ab.js [apps, comma-separated] [rounds] [calls] [--fake-adapter]`
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const fake = process.argv.includes('--fake-adapter');
  const names = (args[0] ?? 'static-header,hand-interceptor,ours-memory').split(',');
  const rounds = Number(args[1] ?? 8);
  const calls = Number(args[2] ?? (fake ? 20_000 : 3_000));
  for (const name of names) if (!(name in BENCH_APPS)) throw new Error(`unknown app "${name}"`);
  const backend = await ChildHandle.start('backend', join(__dirname, '../e2e/backend.process.js'), []);
  const contenders: Contender[] = [];
  try {
    for (const name of names) {
      const created = await (await BENCH_APPS[name as BenchAppName]())({ gatewayUrl: String(backend.ready.url) });
      await created.app.init();
      const token = name.startsWith('ours') ? CandescentHttpService : HttpService;
      const http = created.app.get<HttpService>(token, { strict: false });
      if (fake) http.axiosRef.defaults.adapter = answerAtOnce;
      contenders.push({ name, http, close: () => created.app.close(), micros: [] });
    }
    for (const contender of contenders) await callMany(contender.http, Math.min(calls, 2_000));
    for (let round = 0; round < rounds; round++) {
      for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
        const before = process.cpuUsage();
        await callMany(contender.http, calls);
        const used = process.cpuUsage(before);
        contender.micros.push((used.user + used.system) / calls);
      }
    }
    const reference = median(contenders[0].micros);
    console.log(`CPU per outgoing call, ${fake ? 'stand-in adapter' : 'real gateway'}, ${rounds} rounds of ${calls}:`);
    for (const { name, micros } of contenders) {
      const range = `${Math.min(...micros).toFixed(1)}-${Math.max(...micros).toFixed(1)}`;
      console.log(
        `${name.padEnd(20)} ${median(micros).toFixed(1).padStart(7)} µs (${range})  ${(median(micros) / reference).toFixed(2)}×`,
      );
    }
  } finally {
    for (const contender of contenders) await contender.close();
    await backend.handle.stop();
  }
}

/** `calls` GETs of the upstream, `CONCURRENCY` at a time; any answer but 200 stops the run. */
async function callMany(http: HttpService, calls: number): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started++ < calls) {
        const response = await firstValueFrom(http.get(UPSTREAM_PATH));
        if (response.status !== 200) throw new Error(`the upstream answered ${response.status}`);
      }
    }),
  );
}

/** The stand-in adapter: a 200 at once, nothing sent. */
function answerAtOnce(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  return Promise.resolve({ data: { ok: true }, status: 200, statusText: 'OK', headers: {}, config, request: {} });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
