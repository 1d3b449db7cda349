import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run-process.js';
import { waitFor } from './helpers/server-process.js';
import { tempDir } from './helpers/test-app.js';

/** Pids and command lines of every descendant of `pid` (ps works on Linux and macOS alike). */
function descendants(pid: number): Array<{ pid: number; args: string }> {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const found: Array<{ pid: number; args: string }> = [];
  const walk = (parent: number) => {
    for (const row of rows) {
      if (row.ppid !== parent) continue;
      found.push({ pid: row.pid, args: row.args });
      walk(row.pid);
    }
  };
  walk(pid);
  return found;
}

/** The `node dist/main.js` processes under `pid` (not the `sh -c` that may sit between). */
function servers(pid: number): Array<{ pid: number; args: string }> {
  return descendants(pid).filter((p) => /^\S*node\s+dist\/main\.js/.test(p.args));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true when something accepts a connection on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('npm start', () => {
  it('stops the server with one SIGTERM to the npm process', async () => {
    const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    // npm runs a script with `sh -c`; dash forks node and dies of the forwarded SIGTERM, orphaning the server.
    expect(script).toMatch(/^exec node dist\/main\.js$/);
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'feeds.config.json');
    writeFileSync(configPath, JSON.stringify({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }));
    // --ignore-scripts skips only prestart's build: dist/ is built by the global setup, and rebuilding it
    // here would rewrite files that other test files are running at the same moment.
    const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', HOST: '127.0.0.1', NEWSMERGE_DATA: join(dir, 'data'), NEWSMERGE_CONFIG: configPath, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running: Array<{ pid: number }> = [];
    let out = '';
    npm.stdout.on('data', (d) => (out += d));
    npm.stderr.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => npm.on('exit', (code, signal) => done({ code, signal })));
    cleanups.push(() => {
      for (const p of running) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
      npm.kill('SIGKILL');
    });

    const port = await waitFor(async () => {
      const m = /"port":(\d+).*"msg":"newsmerge listening"/.exec(out);
      return m ? Number(m[1]) : undefined;
    }, 30_000);
    const health = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.ok ? res.status : undefined;
    });
    expect(health).toBe(200);
    running.push(...servers(npm.pid!));
    expect(running, out).toHaveLength(1);

    npm.kill('SIGTERM');
    const exit = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(exit, `npm did not exit after SIGTERM:\n${out}`).not.toBeNull();
    expect(out).toContain('"signal":"SIGTERM","msg":"shutting down"');
    await waitFor(async () => (alive(running[0]!.pid) ? undefined : true), 5_000);
    expect(await accepts(port)).toBe(false);
  }, 60_000);
});
