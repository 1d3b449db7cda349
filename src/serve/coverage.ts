import type { AppConfig } from '../config/config-schema.js';
import { LEANS, outletName, primaryLanguage, SIDES, type Lean, type OutletProfile, type Side } from '../config/outlet-profiles.js';
import type { CoverageFilter } from '../store/coverage-filters.js';
import type { Store } from '../store/store.js';
import { BadRequestError } from './http-errors.js';

/** A lean bucket of a coverage count: the five points of the scale and `unrated`. */
type LeanBucket = Lean | 'unrated';

/** Who covers a story, from its distinct outlets: counts by lean, country and language, and each side's share. */
export interface Coverage {
  lean: Record<LeanBucket, number>;
  /** Outlets per ISO country code, most first; outlets without a country are not counted here. */
  countries: Record<string, number>;
  /** Outlets per primary language subtag ("en" for en-GB), most first. */
  languages: Record<string, number>;
  /** Share of the covering outlets per side (left = left + lean-left, right = right + lean-right), 0 to 1. */
  shares: { left: number; center: number; right: number; unrated: number };
}

/** Looks up the profile of an outlet by name; undefined when the config has none. */
export type ProfileLookup = (outlet: string) => OutletProfile | undefined;

function countBy(values: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Most first, then alphabetical: the same story always serializes to the same bytes (ETags).
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

const share = (n: number, total: number) => (total === 0 ? 0 : Math.round((n / total) * 1000) / 1000);

/** Coverage of a story from the names of its distinct outlets and the current profiles. */
export function coverageOf(outlets: readonly string[], profiles: ProfileLookup): Coverage {
  const lean = Object.fromEntries([...LEANS, 'unrated'].map((b) => [b, 0])) as Record<LeanBucket, number>;
  const countries: string[] = [];
  const languages: string[] = [];
  for (const name of new Set(outlets)) {
    const p = profiles(name);
    lean[p?.lean ?? 'unrated']++;
    if (p?.country) countries.push(p.country);
    if (p?.language) languages.push(primaryLanguage(p.language));
  }
  const total = new Set(outlets).size;
  const sides = sideCounts(lean);
  return {
    lean,
    countries: countBy(countries),
    languages: countBy(languages),
    shares: { left: share(sides.left, total), center: share(sides.center, total), right: share(sides.right, total), unrated: share(sides.unrated, total) },
  };
}

/** Outlets per side (left = left + lean-left, right = right + lean-right) as the bar and the "Coverage:" line show them. */
export function sideCounts(lean: Coverage['lean']): { left: number; center: number; right: number; unrated: number } {
  return { left: lean.left + lean['lean-left'], center: lean.center, right: lean.right + lean['lean-right'], unrated: lean.unrated };
}

/** "2 left · 1 center · 0 right" (and "· 1 unrated" when some outlet has no lean): the text every output shares. */
export function coverageLine(coverage: Coverage): string {
  const s = sideCounts(coverage.lean);
  return `${s.left} left · ${s.center} center · ${s.right} right${s.unrated ? ` · ${s.unrated} unrated` : ''}`;
}

/** The who-covers-it parameters of a listing, validated (feed-query.ts parses them, one rule each). */
export interface CoverageQuery {
  /** Lean buckets wanted (a side given as `left` or `right` is both of its buckets); null: any. */
  lean: Lean[] | null;
  blindspot: Side | null;
  /** ISO codes, upper case. */
  country: string[] | null;
  /** Canonical BCP 47 tags; each matches itself and its subtags (en matches en-GB). */
  language: string[] | null;
  minCountries: number | null;
}

/** No coverage parameter given. */
export const NO_COVERAGE_QUERY: CoverageQuery = { lean: null, blindspot: null, country: null, language: null, minCountries: null };

/** The coverage parameters in a canonical order and spelling, for cache keys and feed links. */
export function coverageSearchParams(query: CoverageQuery): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (query.lean) out.push(['lean', [...query.lean].sort((a, b) => LEANS.indexOf(a) - LEANS.indexOf(b)).join(',')]);
  if (query.blindspot) out.push(['blindspot', query.blindspot]);
  if (query.country) out.push(['country', [...query.country].sort().join(',')]);
  if (query.language) out.push(['language', [...query.language].sort().join(',')]);
  if (query.minCountries) out.push(['min_countries', String(query.minCountries)]);
  return out;
}

/** The language tag `tag` falls under `range` (RFC 4647 basic filtering: "en" covers "en-GB"). */
function languageMatches(range: string, tag: string): boolean {
  const r = range.toLowerCase();
  const t = tag.toLowerCase();
  return t === r || t.startsWith(`${r}-`);
}

/** A short list of values for an error message. */
function listed(values: readonly string[]): string {
  return values.length ? values.join(', ') : '(none: no outlet profile sets one)';
}

/**
 * The config's outlet profiles with the database ids of each outlet's feeds: what coverage counts and what
 * the filters turn into feed-id lists. Made from the current config, so a profile changed by a reload
 * applies at once to every story already stored.
 */
export class OutletDirectory {
  private readonly profiles: Map<string, OutletProfile>;
  /** Feed ids of each outlet's configured feeds. */
  private readonly feedIds = new Map<string, number[]>();
  /** True when some profile gives a lean: otherwise blindspots and the "Coverage:" line say nothing. */
  readonly rated: boolean;

  constructor(config: Pick<AppConfig, 'feeds' | 'outlets'>, feeds: ReadonlyArray<{ url: string; id: number }>) {
    this.profiles = new Map(Object.entries(config.outlets ?? {}));
    const idByUrl = new Map(feeds.map((f) => [f.url, f.id]));
    for (const feed of config.feeds) {
      const id = idByUrl.get(feed.url);
      if (id === undefined) continue;
      const name = outletName(feed);
      const list = this.feedIds.get(name);
      if (list) list.push(id);
      else this.feedIds.set(name, [id]);
    }
    this.rated = [...this.profiles.values()].some((p) => p.lean !== undefined);
  }

  /** The profile of an outlet, or undefined. */
  readonly profile: ProfileLookup = (outlet) => this.profiles.get(outlet);

  /** Countries of the configured profiles, sorted. */
  countries(): string[] {
    return [...new Set([...this.profiles.values()].flatMap((p) => (p.country ? [p.country] : [])))].sort();
  }

  /** Language tags of the configured profiles, sorted. */
  languages(): string[] {
    return [...new Set([...this.profiles.values()].flatMap((p) => (p.language ? [p.language] : [])))].sort();
  }

  private feedsWhere(test: (profile: OutletProfile) => boolean): number[] {
    const ids: number[] = [];
    for (const [name, list] of this.feedIds) {
      const p = this.profiles.get(name);
      if (p && test(p)) ids.push(...list);
    }
    return ids.sort((a, b) => a - b);
  }

  /**
   * The SQL filter of a coverage query; null when none is given. A country or language that no profile names
   * is a 400 listing those that do, like an unknown source: a typo must not look like "no stories".
   */
  filter(query: CoverageQuery): CoverageFilter | null {
    if (!query.lean && !query.blindspot && !query.country && !query.language && !query.minCountries) return null;
    let countryFeedIds: number[] | null = null;
    if (query.country) {
      const known = this.countries();
      const unknown = query.country.find((c) => !known.includes(c));
      if (unknown !== undefined) throw new BadRequestError(`country: no configured outlet is from ${unknown}; the outlets' countries are ${listed(known)}`);
      countryFeedIds = this.feedsWhere((p) => p.country !== undefined && query.country!.includes(p.country));
    }
    let languageFeedIds: number[] | null = null;
    if (query.language) {
      const known = this.languages();
      const unknown = query.language.find((range) => !known.some((tag) => languageMatches(range, tag)));
      if (unknown !== undefined) throw new BadRequestError(`language: no configured outlet writes in ${unknown}; the outlets' languages are ${listed(known)}`);
      languageFeedIds = this.feedsWhere((p) => p.language !== undefined && query.language!.some((range) => languageMatches(range, p.language!)));
    }
    const lean = query.lean;
    const side = query.blindspot;
    const feedCountries: Record<number, string> = {};
    if (query.minCountries) {
      for (const [name, list] of this.feedIds) {
        const country = this.profiles.get(name)?.country;
        if (country) for (const id of list) feedCountries[id] = country;
      }
    }
    return {
      leanFeedIds: lean ? this.feedsWhere((p) => p.lean !== undefined && lean.includes(p.lean)) : null,
      countryFeedIds,
      languageFeedIds,
      blindspot: side
        ? { sideFeedIds: this.feedsWhere((p) => p.lean !== undefined && (SIDES[side] as readonly Lean[]).includes(p.lean)), ratedFeedIds: this.feedsWhere((p) => p.lean !== undefined) }
        : null,
      minCountries: query.minCountries ? { count: query.minCountries, feedCountries } : null,
      // A story one outlet reported is no side's blindspot: it needs two outlets unless min_sources says otherwise.
      minSources: side ? 2 : null,
    };
  }
}

const directories = new WeakMap<object, OutletDirectory>();

/**
 * The outlet directory of the current config, made once per topic catalog: the catalog is rebuilt whenever
 * the config is reloaded or new feeds get their ids, and so is this.
 */
export function outletDirectory(ctx: { catalog: () => { config: AppConfig }; store: Store }): OutletDirectory {
  const catalog = ctx.catalog();
  let directory = directories.get(catalog);
  if (!directory) {
    directory = new OutletDirectory(catalog.config, ctx.store.feeds.all());
    directories.set(catalog, directory);
  }
  return directory;
}
