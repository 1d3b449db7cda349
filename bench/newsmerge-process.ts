/** `node dist/main.js` started by a benchmark as users start it, followed through its log lines. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CycleReport } from '../src/ingest/poller.js';

/** The admin token the benchmarks start newsmerge with. */
export const BENCH_TOKEN = 'bench-admin-token-0123456789';

/** A running newsmerge process. */
export interface BenchServer {
  port: number;
  pid: number;
  /** The next "poll cycle finished" the server logged (kept if it came before it was asked for), and when. */
  nextCycle(): Promise<{ report: CycleReport; at: number }>;
  stop(): Promise<void>;
}

/** Starts the server on an ephemeral port; its warnings and errors are echoed to stderr, with the figures' context. */
export async function startServer(dataDir: string, configPath: string): Promise<BenchServer> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../dist/main.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', NEWSMERGE_DATA: dataDir, NEWSMERGE_CONFIG: configPath, NEWSMERGE_ADMIN_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'info' },
  });
  const finished: Array<{ report: CycleReport; at: number }> = [];
  const waiting: Array<(cycle: { report: CycleReport; at: number }) => void> = [];
  const port = new Promise<number>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`newsmerge exited with ${code}`)));
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => {
      const record = JSON.parse(line) as { msg: string; port?: number; level?: number };
      if ((record.level ?? 0) >= 40) process.stderr.write(`${line.slice(0, 400)}\n`);
      if (record.msg === 'newsmerge listening') done(record.port!);
      if (record.msg === 'poll cycle finished') {
        const cycle = { report: record as unknown as CycleReport, at: performance.now() };
        const next = waiting.shift();
        if (next) next(cycle);
        else finished.push(cycle);
      }
    });
  });
  return {
    port: await port,
    pid: child.pid!,
    nextCycle: () => {
      const cycle = finished.shift();
      return cycle ? Promise.resolve(cycle) : new Promise((done) => waiting.push(done));
    },
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

/** Peak resident memory of a process (all its threads), from the kernel's high-water mark. */
export function peakRssMb(pid: number): number {
  return statusMb(pid, 'VmHWM');
}

/** Resident memory of a process now. */
export function rssMb(pid: number): number {
  return statusMb(pid, 'VmRSS');
}
