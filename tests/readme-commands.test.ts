import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run-process.js';

const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const scripts = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The commands of the README's "Commands" table, as written in its first column. */
const commands = readme
  .slice(readme.indexOf('## Commands'), readme.indexOf('## Configuration'))
  .split('\n')
  .filter((line) => line.startsWith('| `npm '))
  .map((line) => /^\| `(npm [^`]+)`/.exec(line)![1]!);

/** The npm script a documented command runs: `npm start`, `npm test`, `npm run x [-- …]`. */
function scriptOf(command: string): string {
  const [, verb, name] = command.split(/\s+/);
  return verb === 'run' ? name! : verb!;
}

function npm(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('npm', args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe("the README's commands", () => {
  it('are listed, and each is a script of package.json', () => {
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const command of commands) expect(Object.keys(scripts), command).toContain(scriptOf(command));
  });

  it('npm test is what CI runs', () => {
    expect(readFileSync(resolve(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });

  // npm test is this suite itself; every other command answers --help (pre-scripts' builds skipped: the
  // global setup built dist/, and other test files run it meanwhile).
  for (const command of commands.filter((c) => scriptOf(c) !== 'test')) {
    it(`${command} answers --help`, async () => {
      const script = scriptOf(command);
      const run = await npm(['run', '--ignore-scripts', '--silent', script, '--', '--help']);
      expect(run.code, run.output).toBe(0);
      expect(run.output, run.output).toMatch(/usage/i);
    }, 70_000);
  }
});
