import { z } from 'zod';
import { parseDuration } from './duration.js';

/** What a topic tag looks like: 1-40 lowercase letters, digits, "-" or "_", starting with a letter or digit. */
const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** A topic tag of the config. */
export const tagSchema = z.string().regex(TAG_PATTERN, 'a tag is 1-40 lowercase letters, digits, "-" or "_", starting with a letter or digit');

/** A duration such as "10m" or "4h" (a bare number means seconds), parsed to milliseconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (use e.g. "90s", "10m", "4h", "2d")` });
    return z.NEVER;
  }
  return ms;
});

/** An absolute http(s) URL. */
export const httpUrlSchema = z.string().trim().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL');
