import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCommand, runNode, type ProcessResult } from './helpers/run-process.js';
import { tempDir } from './helpers/test-app.js';

/** Runs a TypeScript script (scripts/, bench/) as `npm run` does, through tsx. */
function runTsx(script: string, args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return run(process.execPath, ['--import', 'tsx', resolve(ROOT, script), ...args], env);
}

function run(command: string, args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return runCommand(command, args, { HOME: process.env.HOME ?? '/tmp', ...env }, 30_000);
}

const dir = tempDir('newsmerge-cli-');
const env = { NEWSMERGE_DATA: join(dir, 'data'), NEWSMERGE_CONFIG: join(dir, 'feeds.config.json'), LOG_LEVEL: 'silent' };
writeFileSync(env.NEWSMERGE_CONFIG, JSON.stringify({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }));
const notJsonl = join(dir, 'stories.jsonl');
writeFileSync(notJsonl, 'id,cluster,title\n1,a,Something happened\n');
const notOpml = join(dir, 'feeds.opml');
writeFileSync(notOpml, '<rss version="2.0"><channel/></rss>');
const missing = join(dir, 'no-such-file.jsonl');

/** Every command of the README: how it is run here, and the name its error lines start with. */
const COMMANDS: Array<{ label: string; name: string; run: (args: string[]) => Promise<ProcessResult> }> = [
  { label: 'npm start (dist/main.js)', name: 'newsmerge', run: (a) => runNode('main.js', a, env) },
  { label: 'npm run poll', name: 'newsmerge poll', run: (a) => runNode('cli/poll.js', a, env) },
  { label: 'npm run backup', name: 'newsmerge backup', run: (a) => runNode('cli/backup.js', a, env) },
  { label: 'npm run opml:import', name: 'newsmerge opml:import', run: (a) => runNode('cli/opml-import.js', a, env) },
  { label: 'npm run corrections:export', name: 'newsmerge corrections:export', run: (a) => runNode('cli/export-corrections.js', a, env) },
  { label: 'npm run demo', name: 'newsmerge demo', run: (a) => runTsx('scripts/demo.ts', a, { NEWSMERGE_DATA: join(dir, 'demo') }) },
  { label: 'npm run train:dedup', name: 'newsmerge train:dedup', run: (a) => runTsx('scripts/train-dedup.ts', a) },
  {
    label: 'npm run eval:dedup',
    name: 'newsmerge eval:dedup',
    run: (a) => runTsx('scripts/eval-dedup.ts', a),
    // Its owner applies the shared command-line handling separately; these cases run once it has.
  },
  { label: 'npm run bench', name: 'newsmerge bench', run: (a) => runTsx('bench/all.ts', a) },
  { label: 'npm run bench:poll', name: 'newsmerge bench:poll', run: (a) => runTsx('bench/poll-cycle.ts', a) },
  { label: 'npm run bench:serve', name: 'newsmerge bench:serve', run: (a) => runTsx('bench/serve-load.ts', a) },
  { label: 'npm run bench:restart', name: 'newsmerge bench:restart', run: (a) => runTsx('bench/restart.ts', a) },
];

/** A usage error: one line naming the command and what is wrong, then the usage; exit 2; no stack trace. */
function expectUsageError(result: ProcessResult, name: string, problem: string | RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  if (typeof problem === 'string') expect(lines[0]).toContain(problem);
  else expect(lines[0]).toMatch(problem);
  expect(lines[1]).toMatch(/^Usage: npm /);
  expect(lines).toHaveLength(2);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe.each(COMMANDS)('$label', ({ name, run }) => {
  it('prints its usage for --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown option with one line and the usage, exit 2', async () => {
    expectUsageError(await run(['--bogus']), name, 'unknown option --bogus');
  });
});

describe('argument mistakes of each command', () => {
  it('poll: a missing option value, an argument it does not take, a feed not in the config', async () => {
    expectUsageError(await runNode('cli/poll.js', ['--feed'], env), 'newsmerge poll', "'--feed <value>' argument missing");
    expectUsageError(await runNode('cli/poll.js', ['https://outlet.example/rss'], env), 'newsmerge poll', 'unexpected argument "https://outlet.example/rss"');
    expectUsageError(await runNode('cli/poll.js', ['--feed', 'https://outlet.example/rss'], env), 'newsmerge poll', 'is not a feed of');
  });

  it('npm run poll -- --bogus: npm passes the exit code on, with no stack trace', async () => {
    // --ignore-scripts skips prepoll's build: dist/ is built by the global setup (and other tests run it now).
    const result = await run('npm', ['run', '--silent', '--ignore-scripts', 'poll', '--', '--bogus'], env);
    expectUsageError(result, 'newsmerge poll', 'unknown option --bogus');
  });

  it('backup and corrections:export: the FILE to write is required, and only one', async () => {
    expectUsageError(await runNode('cli/backup.js', [], env), 'newsmerge backup', 'name the FILE');
    expectUsageError(await runNode('cli/backup.js', ['a.db', 'b.db'], env), 'newsmerge backup', 'unexpected argument "b.db"');
    expectUsageError(await runNode('cli/export-corrections.js', [], env), 'newsmerge corrections:export', 'name the FILE.jsonl');
  });

  it('opml:import: a missing, unreadable or non-OPML file', async () => {
    expectUsageError(await runNode('cli/opml-import.js', [], env), 'newsmerge opml:import', 'name the FILE.opml');
    expectUsageError(await runNode('cli/opml-import.js', [missing], env), 'newsmerge opml:import', `cannot read ${missing}: no such file`);
    expectUsageError(await runNode('cli/opml-import.js', [dir], env), 'newsmerge opml:import', `cannot read ${dir}: is a directory`);
    expectUsageError(await runNode('cli/opml-import.js', [notOpml], env), 'newsmerge opml:import', 'is not an OPML file');
  });

  it('train:dedup: a missing or non-JSONL file, bad option values (the model is never written)', async () => {
    const out = join(dir, 'model.json');
    const train = (args: string[]) => runTsx('scripts/train-dedup.ts', [...args, '--out', out]);
    expectUsageError(await train([missing]), 'newsmerge train:dedup', `cannot read ${missing}: no such file`);
    expectUsageError(await train([notJsonl]), 'newsmerge train:dedup', `${notJsonl} is not JSON Lines: line 1 is not JSON`);
    expectUsageError(await train(['--folds', 'x', notJsonl]), 'newsmerge train:dedup', '--folds takes a positive whole number');
    expectUsageError(await train(['--dedup', '{"joinThreshold":7}', notJsonl]), 'newsmerge train:dedup', '--dedup: dedup.joinThreshold');
    expect(() => readFileSync(out)).toThrow();
  });

  it('eval:dedup: no file, a missing or non-JSONL file, bad option values', async () => {
    const evaluate = (args: string[]) => runTsx('scripts/eval-dedup.ts', args);
    expectUsageError(await evaluate([]), 'newsmerge eval:dedup', 'name the labeled FILE.jsonl');
    expectUsageError(await evaluate([missing]), 'newsmerge eval:dedup', `cannot read ${missing}: no such file`);
    expectUsageError(await evaluate([notJsonl]), 'newsmerge eval:dedup', `${notJsonl} is not JSON Lines: line 1 is not JSON`);
    expectUsageError(await evaluate(['--order', 'random', notJsonl]), 'newsmerge eval:dedup', '--order takes published or feeds');
    expectUsageError(await evaluate(['--first', '0', notJsonl]), 'newsmerge eval:dedup', '--first takes a positive whole number');
  });

  it('bench:poll: an unknown kind of text', async () => {
    expectUsageError(await runTsx('bench/poll-cycle.ts', ['--text', 'poetry']), 'newsmerge bench:poll', '--text takes news, templated, syllables, not "poetry"');
  });
});
