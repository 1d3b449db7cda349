/**
 * Who-covers-it filters of a listing (lean, blindspot, country, language, min_countries). Profiles live in the
 * config, not the database: the serve stage turns them into feed-id lists per request, so a profile edited in
 * the config applies at once to every story already stored, like a retagged feed.
 */
export interface CoverageFilter {
  /** Stories with an item from one of these feeds (the outlets of the wanted leans). */
  leanFeedIds: readonly number[] | null;
  /** Stories with an item from one of these feeds (the outlets of the wanted countries). */
  countryFeedIds: readonly number[] | null;
  /** Stories with an item from one of these feeds (the outlets of the wanted languages). */
  languageFeedIds: readonly number[] | null;
  /** A side's blindspot: no item from the side's feeds, at least one from a rated feed. */
  blindspot: { sideFeedIds: readonly number[]; ratedFeedIds: readonly number[] } | null;
  /** Stories whose items come from at least `count` countries; `feedCountries` maps feed id to country. */
  minCountries: { count: number; feedCountries: Readonly<Record<number, string>> } | null;
  /** The least number of outlets this filter implies (a blindspot needs 2 unless min_sources says otherwise). */
  minSources: number | null;
}

const fromFeeds = (param: string) => `EXISTS (SELECT 1 FROM items i WHERE i.story_id = s.id AND i.feed_id IN (SELECT value FROM json_each(@${param})))`;

/** SQL over a story `s`, ANDed to the listing filters; every value is a bound parameter (see coverageParams). */
export const COVERAGE_FILTERS = `(@leanFeedIds IS NULL OR ${fromFeeds('leanFeedIds')})
  AND (@countryFeedIds IS NULL OR ${fromFeeds('countryFeedIds')})
  AND (@languageFeedIds IS NULL OR ${fromFeeds('languageFeedIds')})
  AND (@blindSideFeedIds IS NULL OR (NOT ${fromFeeds('blindSideFeedIds')} AND ${fromFeeds('blindRatedFeedIds')}))
  AND (@minCountries IS NULL OR (SELECT count(DISTINCT c.value) FROM items i JOIN json_each(@feedCountries) c ON c.key = CAST(i.feed_id AS TEXT)
    WHERE i.story_id = s.id) >= @minCountries)`;

const json = (ids: readonly number[] | null | undefined) => (ids ? JSON.stringify(ids) : null);

/** The bound parameters of COVERAGE_FILTERS for a filter (all null: no coverage filter). */
export function coverageParams(filter: CoverageFilter | null | undefined): Record<string, string | number | null> {
  return {
    leanFeedIds: json(filter?.leanFeedIds),
    countryFeedIds: json(filter?.countryFeedIds),
    languageFeedIds: json(filter?.languageFeedIds),
    blindSideFeedIds: json(filter?.blindspot?.sideFeedIds),
    blindRatedFeedIds: json(filter?.blindspot?.ratedFeedIds ?? []),
    minCountries: filter?.minCountries?.count ?? null,
    feedCountries: JSON.stringify(filter?.minCountries?.feedCountries ?? {}),
  };
}
