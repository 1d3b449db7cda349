import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { configSchema, type AppConfig } from './config-schema.js';

/** A config file that cannot be used; the message names the file, the JSON path and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates a feeds.config.json file; throws ConfigError naming the bad field. */
export function loadConfigFile(path: string): AppConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  return parseConfigText(text, file);
}

/** Validates config JSON text; `source` names where it came from in error messages. */
export function parseConfigText(text: string, source: string): AppConfig {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError(`Invalid JSON in config file ${source}: ${describeJsonError(err as Error, text)}`);
  }
  const result = configSchema.safeParse(json);
  if (!result.success) {
    throw new ConfigError(`Invalid config file ${source}:\n${formatIssues(result.error.issues)}`);
  }
  return result.data;
}

/** Formats zod issues as one "path: message" line each, paths written as in JavaScript (feeds[2].url). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `  ${formatPath(issue.path) || '(root)'}: ${describeIssue(issue)}`).join('\n');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // A bad record key (a topic tag) carries the real reason in nested issues.
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`;
  return issue.message;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${i ? '.' : ''}${String(key)}` : `[${JSON.stringify(String(key))}]`))
    .join('');
}

function describeJsonError(err: Error, text: string): string {
  const position = /position (\d+)/.exec(err.message);
  if (!position) return err.message;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${err.message} (line ${line}, column ${column})`;
}
