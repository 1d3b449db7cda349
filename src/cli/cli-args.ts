/**
 * Command-line handling shared by newsmerge's commands (src/cli, scripts, bench): a mistake in how a command
 * was called is one line saying what is wrong plus the usage, exit code 2, never a stack trace; `--help`
 * prints the usage and exits 0.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The `options` of a node:util parseArgs config. */
type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** How a command is called: what its error lines start with and what --help prints. */
export interface CommandUsage {
  /** Prefix of error lines, e.g. "newsmerge poll". */
  name: string;
  /** The usage line(s), e.g. "Usage: npm run poll [-- --feed URL]". */
  usage: string;
  /** What --help adds after the usage: what the command does, its options. */
  description?: string;
}

/** The result of parseCommandLine for these options (positionals always allowed, strict). */
type CommandLine<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** Prints "name: message" and the usage to stderr and ends the process with exit code 2. */
export function exitWithUsage(command: CommandUsage, message: string): never {
  process.stderr.write(`${command.name}: ${message}\n${command.usage}\n`);
  process.exit(2);
}

/** Prints the usage and description to stdout and ends the process with exit code 0. */
function exitWithHelp(command: CommandUsage): never {
  process.stdout.write(`${command.usage}\n${command.description ? `${command.description.trimEnd()}\n` : ''}`);
  process.exit(0);
}

// parseArgs explains how to pass "--x" as a positional in a second sentence; the first says what is wrong.
function describeParseError(err: Error): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const positional = /^Unexpected argument '([^']*)'/.exec(err.message);
  if (positional) return `unexpected argument "${positional[1]}"`;
  return err.message.split(/(?<=\.) /)[0]!.replace(/\.$/, '');
}

/**
 * Parses the command line (process.argv after the script by default) with node:util parseArgs, `-h/--help`
 * added: --help prints the usage and exits 0; an unknown option, a missing option value, an option given a
 * value it does not take, or more than `maxPositionals` arguments print one line and the usage and exit 2.
 */
export function parseCommandLine<const O extends OptionsConfig>(
  command: CommandUsage,
  options: O,
  settings: { maxPositionals?: number; args?: string[] } = {},
): CommandLine<O> {
  const args = settings.args ?? process.argv.slice(2);
  const end = args.indexOf('--');
  if ((end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')) exitWithHelp(command);
  let parsed: CommandLine<O>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as CommandLine<O>;
  } catch (err) {
    exitWithUsage(command, describeParseError(err as Error));
  }
  const max = settings.maxPositionals ?? Infinity;
  if (parsed.positionals.length > max) exitWithUsage(command, `unexpected argument "${parsed.positionals[max]}"`);
  return parsed;
}

/** Why a file cannot be read, in a few words (no errno codes or stack). */
export function describeFileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return (err as Error).message;
}

/** Reads a text file the user named; a missing or unreadable one is a usage error (one line, exit 2). */
export function readInputFile(command: CommandUsage, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    exitWithUsage(command, `cannot read ${path}: ${describeFileError(err)}`);
  }
}

/** A positive whole number option value, or a usage error naming the option. */
export function positiveIntOption(command: CommandUsage, name: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) exitWithUsage(command, `--${name} takes a positive whole number, not "${raw.slice(0, 40)}"`);
  return Number(raw);
}
