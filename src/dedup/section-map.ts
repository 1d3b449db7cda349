import type { ClassifierClass } from './topic-classifier.js';

/** A common news section: the names outlets file it under, and the classifier class that covers it, if any. */
export interface Section {
  /** Names that make a topic this section when its tag, title or match.categories say one of them. */
  aliases: readonly string[];
  /** Category and path names outlets use for it (aliases included), normalized (see normalizeSection). */
  names: readonly string[];
  classifierClass: ClassifierClass | null;
}

/**
 * The default section map: common category and URL-path names per section, as outlets write them (BBC
 * "science-environment", "world-us-canada"; Guardian "us-news", "uk-news"; "sci-tech"; "arts-and-culture").
 * A topic extends its section with match.categories.
 */
export const SECTIONS: Readonly<Record<string, Section>> = {
  world: {
    aliases: ['world', 'world-news', 'international', 'global'],
    names: ['world', 'world-news', 'international', 'global', 'foreign', 'foreign-affairs', 'world-affairs', 'europe', 'asia', 'africa', 'americas', 'middle-east', 'latin-america', 'asia-pacific', 'world-us-canada', 'australia-pacific', 'south-asia', 'china', 'global-development'],
    classifierClass: 'world',
  },
  politics: {
    aliases: ['politics', 'political', 'government'],
    names: ['politics', 'political', 'government', 'elections', 'election', 'us-politics', 'uk-politics', 'congress', 'senate', 'white-house', 'parliament', 'policy'],
    classifierClass: null,
  },
  business: {
    aliases: ['business', 'economy', 'business-and-economy', 'biz', 'business-news', 'markets', 'money', 'finance'],
    names: ['business', 'business-news', 'biz', 'economy', 'economics', 'business-and-economy', 'markets', 'market', 'finance', 'financial', 'money', 'companies', 'industry', 'trade', 'personal-finance', 'stocks', 'investing', 'banking', 'earnings', 'retail'],
    classifierClass: 'business',
  },
  technology: {
    aliases: ['technology', 'tech', 'sci-tech', 'science-and-technology'],
    names: ['technology', 'tech', 'sci-tech', 'scitech', 'science-and-technology', 'internet', 'gadgets', 'computing', 'digital', 'innovation', 'cybersecurity', 'personal-tech', 'artificial-intelligence'],
    classifierClass: 'tech',
  },
  science: {
    aliases: ['science', 'science-and-environment', 'science-environment', 'sci-tech', 'science-and-technology'],
    names: ['science', 'science-and-environment', 'science-environment', 'sci-tech', 'scitech', 'science-and-technology', 'environment', 'climate', 'space', 'health-and-science', 'research'],
    classifierClass: 'tech',
  },
  health: {
    aliases: ['health', 'health-and-medicine', 'medicine'],
    names: ['health', 'health-and-medicine', 'medicine', 'medical', 'wellness', 'wellbeing', 'healthcare', 'health-care', 'health-and-science', 'fitness', 'public-health'],
    classifierClass: null,
  },
  sports: {
    aliases: ['sports', 'sport'],
    names: ['sports', 'sport', 'football', 'soccer', 'basketball', 'baseball', 'tennis', 'golf', 'cricket', 'rugby', 'rugby-union', 'rugby-league', 'nfl', 'nba', 'mlb', 'nhl', 'olympics', 'formula-1', 'formula1', 'f1', 'motorsport', 'cycling', 'boxing', 'athletics', 'hockey', 'ice-hockey'],
    classifierClass: 'sports',
  },
  entertainment: {
    aliases: ['entertainment', 'arts', 'culture', 'arts-and-culture', 'arts-and-entertainment', 'showbiz'],
    names: ['entertainment', 'arts', 'culture', 'arts-and-culture', 'arts-and-entertainment', 'showbiz', 'movies', 'film', 'films', 'music', 'tv', 'television', 'tv-and-radio', 'celebrity', 'celebrities', 'books', 'stage', 'theatre', 'theater', 'games', 'gaming'],
    classifierClass: null,
  },
};

/** A section or category name compared case- and punctuation-insensitively: "Science & Environment" → "science-and-environment". */
export function normalizeSection(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The names an item is filed under by its outlet, normalized: each category (and each part of a
 * hierarchical one, "News > World", "news/world"), and its link's path sections. Of the path, every
 * directory counts, and the last segment only when it is a section with an article number appended
 * (BBC's "/news/business-68012345", "/news/world-europe-68012345"): a headline slug ("/2024/05/business-leaders-meet") must never be a section.
 */
export function filedUnder(categories: readonly string[], link: string | null): { categories: string[]; path: string[] } {
  const cats = new Set<string>();
  for (const category of categories) {
    for (const part of [category, ...category.split(/\s*[/>|:»]\s*/)]) {
      const name = normalizeSection(part);
      if (name) cats.add(name);
    }
  }
  const path = new Set<string>();
  if (link) {
    let segments: string[] = [];
    try {
      segments = new URL(link).pathname.split('/').filter(Boolean).map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    } catch {
      segments = [];
    }
    segments.forEach((segment, i) => {
      if (i < segments.length - 1) {
        const name = normalizeSection(segment);
        if (name) path.add(name);
      } else {
        const numbered = /^(.*[a-z])-\d{4,}$/i.exec(segment);
        const name = numbered ? normalizeSection(numbered[1]!) : '';
        // "world-europe-68012345": the section and, as BBC names subsections, its parent ("world"). A longer
        // name is a headline slug with an id ("storm-hits-coast-1234567"), never a section.
        if (name && name.split('-').length <= 3) {
          path.add(name);
          path.add(name.split('-')[0]!);
        }
      }
    });
  }
  return { categories: [...cats], path: [...path] };
}

/** Variants a name is also looked up as: "world-news" is "world", "business-news" is "business". */
export function nameVariants(name: string): string[] {
  const stripped = name.replace(/-news$/, '');
  return stripped && stripped !== name ? [name, stripped] : [name];
}
