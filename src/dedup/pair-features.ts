import { cosine, Run, runLength, sharedCount, sharedRarity, type WeighedItem } from './weighed-item.js';

/** The names of the pair features, in the order pairFeatures returns them (the model file names them too). */
export const PAIR_FEATURES = [
  'cosTitle',
  'cosLede',
  'cosAll',
  'cosCross',
  'sharedNames',
  'nameOverlap',
  'sharedNumbers',
  'sharedRare',
  'maxSharedIdf',
  'sharedTitleTerms',
  'hoursApart',
  'topTermCoverage',
  'cosNames',
] as const;

/** One named feature of a pair. */
export type PairFeatureName = (typeof PAIR_FEATURES)[number];

function coverage(item: WeighedItem, other: WeighedItem): number {
  const keys = runLength(item, Run.KeyTerms);
  return keys === 0 ? 0 : sharedCount(item, Run.KeyTerms, other, Run.All) / keys;
}

/**
 * Describes how alike two items are, as numbers a pair model weighs: cosines of headline, lede, both and
 * across (one's headline against the other's lede), shared names and numbers, the rarity of shared terms,
 * how many of each one's key terms the other has, and the time between them.
 */
export function pairFeatures(a: WeighedItem, b: WeighedItem): number[] {
  const [sharedRare, maxSharedIdf] = sharedRarity(a, b);
  const sharedNames = sharedCount(a, Run.Names, b, Run.Names);
  const fewerNames = Math.min(runLength(a, Run.Names), runLength(b, Run.Names));
  return [
    cosine(a, Run.Title, b, Run.Title),
    cosine(a, Run.Lede, b, Run.Lede),
    cosine(a, Run.All, b, Run.All),
    Math.max(cosine(a, Run.Title, b, Run.Lede), cosine(a, Run.Lede, b, Run.Title)),
    Math.log1p(sharedNames),
    fewerNames === 0 ? 0 : sharedNames / fewerNames,
    Math.log1p(sharedCount(a, Run.Numbers, b, Run.Numbers)),
    Math.log1p(sharedRare),
    maxSharedIdf,
    Math.log1p(sharedCount(a, Run.Title, b, Run.Title)),
    Math.log1p(Math.abs(a.publishedAt - b.publishedAt) / 3_600_000),
    Math.min(coverage(a, b), coverage(b, a)),
    cosine(a, Run.NameVector, b, Run.NameVector),
  ];
}
