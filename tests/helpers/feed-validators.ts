import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const FEEDCHECK = join(import.meta.dirname, '../../../shared/tools/feedcheck');

/**
 * Validates a written feed file with the W3C Feed Validator (RSS, Atom) or the JSON Feed schema validator of
 * `../shared/tools/feedcheck`. Those tools exist only where their setup has run
 * (it needs two public repos that CI cannot fetch); elsewhere the caller's structural assertions stand alone.
 * Throws with the validator's output when the feed is invalid.
 */
export function validateWithFeedcheck(file: string, format: 'rss' | 'atom' | 'json', base: string): void {
  const ready =
    format === 'json'
      ? existsSync(join(FEEDCHECK, 'npm/node_modules/ajv'))
      : existsSync(join(FEEDCHECK, 'vendor/feedvalidator/.exported'));
  if (!ready) return;
  const bin = join(FEEDCHECK, 'bin', format === 'json' ? 'jsonfeed-validate' : 'feedvalidate');
  const args = format === 'json' ? [file] : ['--base', base, file];
  try {
    execFileSync(bin, args, { stdio: 'pipe' });
  } catch (err) {
    const out = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${format} feed ${base} is invalid:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
  }
}
