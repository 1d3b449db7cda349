import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from './run-process.js';

/** A `node dist/main.js` started by a test. */
export interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts `node dist/main.js` as the image does and waits for its "listening" log line. */
export async function startProcess(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) => child.on('exit', (code, signal) => done({ code, signal, at: Date.now() })));
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no "listening" line within 5 s:\n${out}`)), 5_000);
    const check = () => {
      const m = /"port":(\d+).*"msg":"newsmerge listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => fail(new Error(`exited early:\n${out}`)));
  });
  return { child, port, output: () => out, exited };
}

/** Resolves with the first value `fn` gives that is not undefined (errors count as undefined), polling every 50 ms. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
