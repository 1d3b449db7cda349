import { describe, expect, it } from 'vitest';
import { chooseStory, isCommonTerm, queryTerms, storySupport } from '../src/dedup/choose-story.js';
import { DEFAULT_PAIR_MODEL } from '../src/dedup/default-pair-model.js';
import { fitBoostedTrees } from '../scripts/fit-boosted-trees.js';
import { profileItem, profileTerms } from '../src/dedup/item-profile.js';
import { estimatedJaccard, minhash, minhashBands, shingles } from '../src/dedup/minhash.js';
import { pairLogit, sigmoid } from '../src/dedup/pair-model.js';
import { LexicalSimilarity, MODEL_FEATURES, type ComparedItem } from '../src/dedup/similarity.js';
import { fixedTermWeights } from '../src/dedup/term-vector.js';
import { cosine, Run, sharedCount, weighItem } from '../src/dedup/weighed-item.js';
import { TermStatistics } from '../src/dedup/term-statistics.js';
import { terms } from '../src/dedup/tokenize.js';
import { RecencyList, type RecencyLinks } from '../src/cluster/recency-list.js';
import { WindowCache, type WindowEntry } from '../src/cluster/window-cache.js';

const words = (text: string) => text.toLowerCase().split(/\s+/);

describe('tokenizing', () => {
  it('stems, drops stop words and newsroom boilerplate, keeps numbers and acronyms whole', () => {
    expect(terms("Russia's defence ministry said 150,000 troops were returning to the U.S. bases")).toEqual(['russia', 'defens', 'ministri', '#150000', 'troop', 'return', 'us', 'base']);
    expect(terms('The WHO says: it is what it is')).toEqual(['who']);
  });

  it('finds names by their capitals, but not in a Title Case headline unless the lede writes them so', () => {
    const sentence = profileItem('Trump meets Kim in Hanoi as talks stall', 'Donald Trump and Kim Jong Un met again in Vietnam on Wednesday.');
    expect(sentence.names).toEqual(expect.arrayContaining(['trump', 'kim', 'jong', 'vietnam', 'hanoi']));
    const titleCase = profileItem('Trump Takes Step To Ban Bump Stocks', 'The move follows the Florida school shooting, Trump said.');
    expect(titleCase.names).toContain('trump');
    expect(titleCase.names).not.toContain('bump');
    expect(titleCase.numbers).toEqual([]);
    expect(profileItem('Fed raises rates by 0.75 points', 'The Federal Reserve raised rates to 3.25%.').numbers).toEqual(['#0.75', '#3.25']);
  });
});

describe('MinHash', () => {
  const text = 'the central bank raised its main interest rate by half a point on thursday the largest rise in two decades and said more would follow';

  it('estimates word-pair overlap: high for a lightly edited copy, low for another report', () => {
    const a = minhash(shingles(words(text)));
    const copy = minhash(shingles(words(`${text} reporting by the wire desk`)));
    const other = minhash(shingles(words('the central bank held its main interest rate on thursday saying inflation had eased faster than it expected')));
    expect(estimatedJaccard(a, a)).toBe(1);
    expect(estimatedJaccard(a, copy)).toBeGreaterThan(0.7);
    expect(estimatedJaccard(a, other)).toBeLessThan(0.35);
  });

  it('gives a copy a shared band key, so the index finds it without a scan', () => {
    const a = minhashBands(minhash(shingles(words(text))));
    const copy = minhashBands(minhash(shingles(words(`update: ${text}`))));
    expect(a).toHaveLength(16);
    expect(a.some((band) => copy.includes(band))).toBe(true);
    expect(minhashBands(minhash(shingles(words('a different event entirely about football transfers in summer'))))).not.toEqual(expect.arrayContaining([a[0]]));
  });
});

describe('term weighting', () => {
  it('computes cosines and shared terms over packed vectors merged by term id', () => {
    const weights = fixedTermWeights(new Map([['troop', 3]]), 10);
    const profile = (title: string[], lede: string[]) => ({ title, lede, names: [], numbers: [] });
    const a = weighItem(profile(['russia', 'troop', 'troop'], ['moscow']), 0, 'x', weights);
    const b = weighItem(profile(['troop', 'russia', 'troop'], []), 0, 'y', weights);
    const c = weighItem(profile(['bank'], ['bank', 'rate']), 0, 'z', weights);
    expect(cosine(a, Run.Title, b, Run.Title)).toBeCloseTo(1, 10);
    expect(cosine(a, Run.Title, c, Run.Title)).toBe(0);
    expect(cosine(a, Run.Lede, b, Run.Lede)).toBe(0);
    expect(cosine(c, Run.Title, c, Run.Lede)).toBeGreaterThan(0.5);
    expect(sharedCount(a, Run.Title, b, Run.Title)).toBe(2);
    expect(sharedCount(a, Run.All, c, Run.All)).toBe(0);
  });

  it('counts a batch\'s own items in its document frequencies before any is clustered', () => {
    const stored = new Map([['russia', 10]]);
    const batch = [['russia', 'troop'], ['troop']];
    const stats = new TermStatistics(100, batch);
    expect(stats.missing(['russia', 'troop', 'troop']).sort()).toEqual(['russia', 'troop']);
    stats.learn(['russia', 'troop'], stored);
    expect(stats.documentCount).toBe(102);
    // Terms outside the batch: named by missing(), taken in by learn(); never loaded counts as never seen.
    expect(stats.missing(['troop', 'bank', 'bank', 'crimea'])).toEqual(['bank', 'crimea']);
    stats.learn(['bank'], new Map([['bank', 40]]));
    expect(stats.df('bank')).toBe(40);
    expect(stats.df('crimea')).toBe(0);
    expect(stats.df('russia')).toBe(11);
    expect(stats.df('troop')).toBe(2);
    expect(stats.idf('troop')).toBeGreaterThan(stats.idf('russia'));
    expect(isCommonTerm(11, 102)).toBe(false);
    expect(isCommonTerm(20, 300)).toBe(true);
    expect([...queryTerms(['troop', 'russia', 'troop'], stats.idf, 1).keys()]).toEqual(['troop']);
  });
});

describe('choosing a story', () => {
  const logit = (p: number) => Math.log(p / (1 - p));

  it('averages over a story\'s candidate items: one look-alike does not pull an item in', () => {
    const support = storySupport([
      { storyId: 7, logit: logit(0.95), sameOutlet: false },
      { storyId: 7, logit: logit(0.15), sameOutlet: false },
      { storyId: 9, logit: logit(0.7), sameOutlet: false },
    ], 3);
    expect(support.map((s) => s.storyId)).toEqual([9, 7]);
    expect(support[1]!.probability).toBeCloseTo(0.55, 10);
    expect(support[1]!.best, 'the likeliest item alone').toBeCloseTo(0.95, 10);
  });

  it('penalizes a pair from one outlet without vetoing it', () => {
    const rules = { threshold: 0.6, sameOutletPenalty: 3 };
    expect(chooseStory([{ storyId: 1, logit: logit(0.9), sameOutlet: true }], rules)).toBeNull();
    expect(chooseStory([{ storyId: 1, logit: logit(0.9), sameOutlet: false }], rules)).toBe(1);
    expect(chooseStory([{ storyId: 1, logit: 8, sameOutlet: true }], rules)).toBe(1);
  });
});

describe('the pair model', () => {
  it('learns a separable problem and scores the same features the same way every time', () => {
    const examples = Array.from({ length: 400 }, (_, i) => {
      const x = (i % 20) / 20;
      const y = Math.floor(i / 20) / 20;
      return { features: [x, y], label: (x + y > 1 ? 1 : 0) as 0 | 1 };
    });
    const model = fitBoostedTrees(examples, ['x', 'y'], { trees: 40, depth: 2, learningRate: 0.3, bins: 16, minLeafWeight: 1, l2: 1 });
    expect(fitBoostedTrees(examples, ['x', 'y'], { trees: 40, depth: 2, learningRate: 0.3, bins: 16, minLeafWeight: 1, l2: 1 })).toEqual(model);
    const accuracy = examples.filter((e) => (sigmoid(pairLogit(model, e.features)) >= 0.5 ? 1 : 0) === e.label).length / examples.length;
    expect(accuracy).toBeGreaterThan(0.95);
  });

  it('ships weights for the features the ingest path computes, and ranks the same event above another', () => {
    expect(DEFAULT_PAIR_MODEL.features).toEqual(MODEL_FEATURES);
    const docs = [
      profileItem('Russia pulls back some troops, releases footage of tanks leaving Crimea', 'Russia said it was pulling back more troops from near Ukraine and showed tanks leaving Crimea.'),
      profileItem('Russia says it is returning more troops to bases', "Russia's defense ministry said more units were returning to bases and released video of tanks leaving Crimea."),
      profileItem("Russia's central bank raises key interest rate to 9.5%", "Russia's central bank raised its key rate by 100 basis points to 9.5% as inflation climbed."),
    ];
    const df = new Map<string, number>();
    for (const d of docs) for (const t of profileTerms(d)) df.set(t, (df.get(t) ?? 0) + 1);
    // A collection of a few thousand documents in which these terms are as rare as they are here.
    const weights = fixedTermWeights(new Map([...df].map(([t, n]) => [t, n * 40])), 4000);
    const at = Date.parse('2022-02-16T12:00:00Z');
    const item = (profile: (typeof docs)[number], hours: number): ComparedItem => ({ profile, publishedAt: at + hours * 3_600_000, outlet: `o${hours}` });
    const [same, other] = new LexicalSimilarity(DEFAULT_PAIR_MODEL).score(item(docs[0]!, 0), [item(docs[1]!, 3), item(docs[2]!, 2)], weights);
    expect(same!).toBeGreaterThan(other!);
    expect(sigmoid(other!)).toBeLessThan(0.1);
  });
});

describe('the recency list of derived forms', () => {
  it('hands out the least recently touched first, and forgets what is removed or cleared', () => {
    type Item = RecencyLinks<Item> & { id: number };
    const [a, b, c] = [1, 2, 3].map((id): Item => ({ id }));
    const list = new RecencyList<Item>();
    const order = () => {
      const out: number[] = [];
      for (let item = list.oldest(); item; item = item.newer) out.push(item.id);
      return out;
    };
    [a!, b!, c!].forEach((item) => list.touch(item));
    expect(order()).toEqual([1, 2, 3]);
    list.touch(a!);
    list.touch(a!);
    expect(order()).toEqual([2, 3, 1]);
    list.remove(c!);
    list.remove(c!);
    expect(order()).toEqual([2, 1]);
    expect(list.size).toBe(2);
    list.clear();
    expect([list.size, list.oldest(), list.has(a!)]).toEqual([0, undefined, false]);
    list.touch(c!);
    expect(order()).toEqual([3]);
  });
});

describe('the in-memory window index', () => {
  const cached = (itemId: number, publishedAt: number, terms: string[], bands = [itemId]): WindowEntry => ({ item: { itemId, storyId: itemId, feedId: 1, outlet: 'o', publishedAt }, keys: { terms, bands } });

  it('loads the span it is asked for, matches within the window only, and forgets what the window left behind', () => {
    const stored = [cached(1, 0, ['troop', 'crimea']), cached(2, 50, ['troop']), cached(3, 100, ['crimea', 'bank']), cached(4, 1_000, ['troop'])];
    const loads: Array<[number, number]> = [];
    const window = new WindowCache(300, 2);
    const load = (from: number, to: number) => {
      loads.push([from, to]);
      return stored.filter((i) => i.item.publishedAt >= from && i.item.publishedAt <= to);
    };
    const count = (from: number, to: number) => stored.filter((i) => i.item.publishedAt >= from && i.item.publishedAt <= to).length;
    window.ensure(0, 200, 1_000, load, count);
    expect(window.match(new Map([['troop', 2], ['crimea', 1]]), 0, 200, 10, new Set()).map((m) => [m.itemId, m.score])).toEqual([[1, 3], [2, 2], [3, 1]]);
    expect(window.match(new Map([['troop', 1]]), 40, 200, 10, new Set([2]))).toEqual([]);
    window.ensure(100, 250, 1_000, load, count);
    expect(loads).toEqual([[0, 200], [201, 250]]);
    window.ensure(900, 1_100, 1_000, load, count);
    expect([1, 2, 3, 4].map((id) => window.get(id) !== undefined)).toEqual([false, false, false, true]);
    expect(window.match(new Map([['troop', 1]]), 900, 1_100, 10, new Set()).map((m) => m.itemId)).toEqual([4]);
    expect(window.bandMatches([4, 1], 0, 2_000).map((i) => i.itemId)).toEqual([4]);
  });

  it('reaches back for a backlog while it holds few items, loading only what it lacks, and follows the window past its item budget', () => {
    const stored = Array.from({ length: 10 }, (_, i) => cached(i + 1, i * 100, ['troop']));
    const loads: Array<[number, number]> = [];
    const load = (from: number, to: number) => {
      loads.push([from, to]);
      return stored.filter((i) => i.item.publishedAt >= from && i.item.publishedAt <= to);
    };
    const count = (from: number, to: number) => stored.filter((i) => i.item.publishedAt >= from && i.item.publishedAt <= to).length;
    const roomy = new WindowCache(200, 100);
    roomy.ensure(700, 900, 900, load, count);
    // A query 700 earlier than the span, far past its 200: extended backwards, not reloaded.
    roomy.ensure(0, 200, 900, load, count);
    roomy.ensure(100, 900, 900, load, count);
    expect(loads).toEqual([[700, 900], [0, 699]]);
    expect(roomy.match(new Map([['troop', 1]]), 0, 900, 20, new Set()).map((m) => m.itemId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    loads.length = 0;
    const tight = new WindowCache(200, 3);
    tight.ensure(700, 900, 900, load, count);
    tight.ensure(0, 200, 900, load, count);
    expect(loads).toEqual([[700, 900], [0, 200]]);
    expect(tight.get(10)).toBeUndefined();
    // Under its budget, but the gap holds more than the room left: it starts afresh instead.
    loads.length = 0;
    const small = new WindowCache(200, 5);
    small.ensure(700, 900, 900, load, count);
    small.ensure(0, 200, 900, load, count);
    expect(loads).toEqual([[700, 900], [0, 200]]);
  });

  it('keeps postings right as items sharing a term or band come and go', () => {
    const window = new WindowCache(10_000);
    window.ensure(0, 1_000, 0, () => [], () => 0);
    const items = [cached(1, 10, ['troop', 'crimea'], [7]), cached(2, 20, ['troop'], [7]), cached(3, 30, ['troop', 'bank'], [7])];
    for (const item of items) window.add(item);
    const troop = () => window.match(new Map([['troop', 1]]), 0, 1_000, 10, new Set()).map((m) => m.itemId);
    expect(troop()).toEqual([1, 2, 3]);
    window.delete(2);
    expect(troop()).toEqual([1, 3]);
    window.delete(1);
    expect(troop()).toEqual([3]);
    expect(window.match(new Map([['crimea', 1]]), 0, 1_000, 10, new Set())).toEqual([]);
    expect(window.bandMatches([7], 0, 1_000).map((i) => i.itemId)).toEqual([3]);
    window.add(items[0]!);
    expect(troop()).toEqual([1, 3]);
    expect(window.bandMatches([7], 0, 1_000).map((i) => i.itemId).sort()).toEqual([1, 3]);
    window.delete(3);
    window.delete(1);
    expect(troop()).toEqual([]);
    expect(window.bandMatches([7], 0, 1_000)).toEqual([]);
  });

  it('holds thousands of items through sweeps: the slot of a swept item, reused, answers only for its new keys', () => {
    const window = new WindowCache(1_000_000);
    window.ensure(0, 1_000_000, 0, () => [], () => 0);
    // Colliding band keys (multiples of the table size) and shared ones, across table growth.
    const first = Array.from({ length: 6_000 }, (_, i) => cached(i + 1, i, [`t${i % 50}`, `own${i}`], [i * 1024, 5]));
    for (const item of first) window.add(item);
    expect(window.bandMatches([1024 * 4_321], 0, 1_000_000).map((i) => i.itemId)).toEqual([4_322]);
    expect(window.bandMatches([5], 0, 1_000_000)).toHaveLength(6_000);
    // Past MIN_DEAD_SWEPT deletions the dead postings are swept and their slots freed for reuse.
    for (const item of first.slice(0, 5_500)) window.delete(item.item.itemId);
    const second = Array.from({ length: 5_500 }, (_, i) => cached(10_001 + i, 100_000 + i, ['fresh'], [77]));
    for (const item of second) window.add(item);
    expect(window.bandMatches([1024 * 17], 0, 1_000_000)).toEqual([]);
    expect(window.bandMatches([5], 0, 1_000_000).map((i) => i.itemId)).toEqual(first.slice(5_500).map((i) => i.item.itemId));
    expect(window.bandMatches([77], 0, 1_000_000)).toHaveLength(5_500);
    expect(window.match(new Map([['own17', 1]]), 0, 1_000_000, 10, new Set())).toEqual([]);
    expect(window.match(new Map([['own5999', 1]]), 0, 1_000_000, 10, new Set()).map((m) => m.itemId)).toEqual([6_000]);
    expect(window.match(new Map([['fresh', 1]]), 100_000, 100_100, 3, new Set()).map((m) => m.itemId)).toEqual([10_001, 10_002, 10_003]);
  });
});
