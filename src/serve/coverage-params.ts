import { canonicalLanguage, isCountryCode, LEANS, SIDES, type Lean, type Side } from '../config/outlet-profiles.js';
import type { CoverageQuery } from './coverage.js';
import { BadRequestError } from './http-errors.js';

/** Reads a parameter given at most once, trimmed; null when absent or empty (feed-query.ts's rule for every parameter). */
export type ReadParam = (name: string) => string | null;

const LEAN_VALUES = [...LEANS];
const LEAN_RULE = `lean takes one or more of ${LEAN_VALUES.join(', ')} separated by commas (left and right mean the whole side: left also takes lean-left, right also takes lean-right)`;
const BLINDSPOT_RULE = 'blindspot must be left or right';
const COUNTRY_RULE = 'country takes ISO 3166-1 alpha-2 codes separated by commas, such as GB,IE';
const LANGUAGE_RULE = 'language takes BCP 47 language tags separated by commas, such as en or pt-BR';

function echo(value: string): string {
  return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
}

function list(raw: string | null): string[] | null {
  if (raw === null) return null;
  const values = [...new Set(raw.split(',').map((v) => v.trim()).filter(Boolean))];
  return values.length ? values : null;
}

/**
 * Validates lean, blindspot, country and language (min_countries is a whole number, read by feed-query.ts).
 * Each value is checked against its rule here; whether an outlet has it is checked against the config later.
 */
export function parseCoverageParams(read: ReadParam, minCountries: number | null): CoverageQuery {
  const leanValues = list(read('lean'));
  let lean: Lean[] | null = null;
  if (leanValues) {
    const bad = leanValues.find((v) => !(LEAN_VALUES as string[]).includes(v));
    if (bad !== undefined) throw new BadRequestError(`${LEAN_RULE}, not ${echo(bad)}`);
    // "left" and "right" are sides: the reader means the left of the coverage bar, which has both buckets.
    lean = [...new Set(leanValues.flatMap((v) => (v === 'left' || v === 'right' ? [...SIDES[v as Side]] : [v as Lean])))];
  }
  const blindRaw = read('blindspot');
  if (blindRaw !== null && blindRaw !== 'left' && blindRaw !== 'right') throw new BadRequestError(`${BLINDSPOT_RULE}, not ${echo(blindRaw)}`);
  const countryValues = list(read('country'));
  const country = countryValues?.map((v) => {
    const code = v.toUpperCase();
    if (!isCountryCode(code)) throw new BadRequestError(`${COUNTRY_RULE}, not ${echo(v)}`);
    return code;
  }) ?? null;
  const languageValues = list(read('language'));
  const language = languageValues?.map((v) => {
    const tag = canonicalLanguage(v);
    if (tag === null) throw new BadRequestError(`${LANGUAGE_RULE}, not ${echo(v)}`);
    return tag;
  }) ?? null;
  return { lean, blindspot: blindRaw as Side | null, country: country ? [...new Set(country)] : null, language: language ? [...new Set(language)] : null, minCountries };
}
