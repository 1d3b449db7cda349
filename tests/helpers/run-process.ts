import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The project root, for running compiled entry points. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** What a finished process left: its exit code and output. */
export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in the project root with PATH and `env` only, and collects its output and exit code. */
export function runCommand(command: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${[command, ...args].join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Runs `node dist/<script>` with env and collects its output and exit code. */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<ProcessResult> {
  return runCommand(process.execPath, [resolve(ROOT, 'dist', script), ...args], env, timeoutMs);
}
