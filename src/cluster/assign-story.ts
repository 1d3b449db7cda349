import type { DedupConfig } from '../config/config-schema.js';
import { QUERY_TERMS, queryTerms, storySupport, type CandidateVerdict, type StorySupport } from '../dedup/choose-story.js';
import { profileTerms, termProfile, type ItemProfile, type TermProfile } from '../dedup/item-profile.js';
import { estimatedJaccard, minhashBands, parseMinhash } from '../dedup/minhash.js';
import type { ComparedItem, EventSimilarity } from '../dedup/similarity.js';
import type { StoryKeys } from '../dedup/story-keys.js';
import type { TermStatistics } from '../dedup/term-statistics.js';
import type { IndexEntry, IndexedItem } from './candidate-index.js';
import type { ClusterEngine } from './cluster-engine.js';
import type { Entry } from './entry.js';
import { mergeStoryInto } from './story-edits.js';

/** A new item about to be stored, with what the merge stages look at. */
export interface IncomingItem {
  feedId: number;
  outlet: string;
  entry: Entry;
  /** Effective publication time (the fetch time when the feed gave none). */
  publishedAt: number;
  keys: StoryKeys;
  profile: ItemProfile;
  /** The item as the similarity backend sees it (prepared once, reused when it becomes a candidate). */
  compared: ComparedItem;
  /** From a templated feed (see isTemplatedFeed): merged on a shared link or guid only. */
  templated: boolean;
}

/** Which stage placed an item. */
export type Stage = 'exact' | 'near-duplicate' | 'same-event' | 'new';

/** Where a new item goes: an existing story, or a new one; and stories it proved to be one. */
export interface Assignment {
  storyId: number;
  created: boolean;
  stage: Stage;
  /** Stories merged into `storyId` because this item tied them together. */
  absorbed: number[];
}

/** What the similarity stages share within one ingest batch (one transaction). */
export interface ClusterSession {
  similarity: EventSimilarity;
  terms: TermStatistics;
}

/**
 * A story this likely to be the item's, though not chosen, may be the same event as the chosen one: the
 * periodic merge looks at the pair (so does any story at or above `relatedThreshold`, for related coverage).
 */
const MERGE_HINT_SUPPORT = 0.6;

/**
 * A lone report (a story of one item) may be linked as related coverage of a story that holds its nearest item,
 * when that item alone is at least this likely the same event and the two stories' link, averaged as always,
 * reaches LONE_REPORT_SHARE of `relatedThreshold`. A reaction or a follow-up often shares its words with one
 * report of the event only (the demo's NATO report, with The Daily Planet's about the troops: 0.57), and the
 * mean over the story's other reports hides it. Measured with eval:dedup (docs/merging.md).
 */
export const LONE_REPORT_PAIR = 0.5;
/** See LONE_REPORT_PAIR. */
export const LONE_REPORT_SHARE = 0.5;

/** Fewest terms an item needs before a MinHash match says "wire copy" (short texts collide). */
const NEAR_DUPLICATE_MIN_TERMS = 8;

/** Every term weighing an item looks up: its headline and lede terms, and the names it writes (repeats kept: loadTerms asks for each once). */
export function weighedTerms(profile: TermProfile): string[] {
  return [...profile.title, ...profile.lede, ...profile.names];
}

/** Loads the stored document frequencies of the terms the statistics do not know yet, in one read. */
export function loadTerms(engine: ClusterEngine, terms: TermStatistics, list: Iterable<string>): void {
  const missing = terms.missing(list);
  if (missing.length > 0) terms.learn(missing, engine.index.documentFrequencies(missing));
}

/** Reads indexed items as the similarity backend compares them; the index keeps them parsed (and prepared) a while. */
export function comparedItems(engine: ClusterEngine, rows: readonly IndexedItem[]): ComparedItem[] {
  return rows.map((row) => engine.index.derived<ComparedItem>(row, (profile) => ({ profile: JSON.parse(profile) as TermProfile, publishedAt: row.publishedAt, outlet: row.outlet })));
}

/** A candidate item's verdict on an item, naming the candidate. */
export interface ItemVerdict extends CandidateVerdict {
  itemId: number;
}

/**
 * How likely each candidate item from the inverted index reports the same event as an item, scored by the
 * similarity backend; the stories named are the candidates' as of now.
 */
export function candidateVerdicts(engine: ClusterEngine, item: ComparedItem, dedup: DedupConfig, session: ClusterSession, exceptItems: ReadonlySet<number> = new Set()): ItemVerdict[] {
  const { terms } = session;
  const query = queryTerms(profileTerms(item.profile), terms.idf, QUERY_TERMS, terms.isCommon);
  const hits = engine.index.candidates(query, item.publishedAt - dedup.window, item.publishedAt + dedup.window, dedup.candidates, exceptItems);
  const rows = engine.index.items(hits.map((h) => h.itemId));
  if (rows.length === 0) return [];
  const candidates = comparedItems(engine, rows);
  // The terms of the candidates scoring weighs afresh (a candidate weighed before is again once the collection has grown enough).
  const { similarity } = session;
  const afresh = similarity.weighsAfresh ? candidates.filter((c) => similarity.weighsAfresh!(c, terms.documentCount)) : candidates;
  loadTerms(engine, terms, afresh.flatMap((c) => weighedTerms(c.profile)));
  const logits = similarity.score(item, candidates, terms);
  return rows.map((row, i) => ({ itemId: row.itemId, storyId: row.storyId, logit: logits[i]!, sameOutlet: row.outlet === item.outlet }));
}

/** How well each story in the window fits an item: its candidates' verdicts averaged per story (see storySupport). Best first. */
export function supportFor(engine: ClusterEngine, item: ComparedItem, dedup: DedupConfig, session: ClusterSession): StorySupport[] {
  return storySupport(candidateVerdicts(engine, item, dedup, session), dedup.sameOutletPenalty);
}

function exactStories({ store }: ClusterEngine, item: IncomingItem, dedup: DedupConfig): Set<number> {
  const found = new Set(store.items.storiesWithKeys(item.keys.urlKeys, -1));
  if (item.keys.titleKey && !item.templated) {
    const { publishedAt } = item;
    for (const id of store.items.storiesWithTitle(item.keys.titleKey, -1, item.feedId, publishedAt - dedup.window, publishedAt + dedup.window)) {
      found.add(id);
    }
  }
  return found;
}

/** The story of the closest wire copy from another outlet within the window, if any. */
function nearDuplicateStory(engine: ClusterEngine, item: IncomingItem, dedup: DedupConfig): number | null {
  const { profile, publishedAt } = item;
  if (dedup.nearDuplicate === 0 || profile.title.length + profile.lede.length < NEAR_DUPLICATE_MIN_TERMS) return null;
  const signature = parseMinhash(profile.minhash);
  let best: { storyId: number; similarity: number } | null = null;
  for (const match of engine.index.bandMatches(minhashBands(signature), publishedAt - dedup.window, publishedAt + dedup.window)) {
    if (match.outlet === item.outlet) continue;
    const similarity = estimatedJaccard(signature, parseMinhash(match.minhash));
    if (similarity >= dedup.nearDuplicate && (!best || similarity > best.similarity || (similarity === best.similarity && match.storyId < best.storyId))) {
      best = { storyId: match.storyId, similarity };
    }
  }
  return best?.storyId ?? null;
}

/**
 * Finds the story of a new item, stage by stage: exact (shared link or URI guid anywhere; the same
 * normalized headline from another outlet within the window), near duplicate (a wire copy's SimHash),
 * same event (the pair model over candidates from the inverted index). With no match, a new story
 * starts. Runs inside the ingest transaction; the item itself is inserted and indexed by the caller.
 */
export function assignStory(engine: ClusterEngine, item: IncomingItem, dedup: DedupConfig, now: number, storyVersion: () => number, session: ClusterSession): Assignment {
  const { store } = engine;
  const found = exactStories(engine, item, dedup);
  if (found.size > 0) {
    // One item tying several stories together makes them one (the oldest id survives), unless a curator
    // kept them apart: then the item joins the oldest, and the others stay as they are.
    const [survivor, ...others] = [...found].sort((a, b) => a - b);
    const absorbed: number[] = [];
    for (const other of others) {
      // Checked one by one: each merge adds items that a later one may be kept apart from.
      if (store.corrections.keptApart(survivor!, other) !== null) continue;
      mergeStoryInto(engine, other, survivor!, now, storyVersion());
      absorbed.push(other);
    }
    return { storyId: survivor!, created: false, stage: 'exact', absorbed };
  }
  if (item.templated) return { storyId: store.stories.create(item.publishedAt, now), created: true, stage: 'new', absorbed: [] };
  const nearDuplicate = nearDuplicateStory(engine, item, dedup);
  if (nearDuplicate !== null) return { storyId: nearDuplicate, created: false, stage: 'near-duplicate', absorbed: [] };
  const support = supportFor(engine, item.compared, dedup, session);
  const joins = support[0] !== undefined && support[0].probability >= dedup.joinThreshold;
  const storyId = joins ? support[0]!.storyId : store.stories.create(item.publishedAt, now);
  // Stories this item found plausible besides its own, or holding one item it found likely: the periodic merge
  // weighs each pair as a whole and merges it, links it as related coverage, or leaves it.
  for (const other of support) {
    if (other.storyId === storyId) continue;
    if (other.probability >= Math.min(MERGE_HINT_SUPPORT, dedup.relatedThreshold) || other.best >= LONE_REPORT_PAIR) store.clustering.addMergeHint(storyId, other.storyId, item.publishedAt);
  }
  return joins ? { storyId, created: false, stage: 'same-event', absorbed: [] } : { storyId, created: true, stage: 'new', absorbed: [] };
}

/**
 * Records what later items are matched against: exact keys, profile, term postings and SimHash bands.
 * `replace` re-indexes an item indexed before (an edit). A templated item is found by its link and guid only.
 */
export function indexItem({ store, index }: ClusterEngine, place: Place, item: Pick<IncomingItem, 'keys' | 'profile' | 'publishedAt' | 'templated'> & { compared?: ComparedItem }, replace = false): void {
  const { itemId } = place;
  if (item.templated) {
    store.items.setKeys(itemId, item.keys.urlKeys);
    if (replace) index.remove(itemId);
    return;
  }
  store.items.setKeys(itemId, [...item.keys.urlKeys, ...(item.keys.titleKey ? [item.keys.titleKey] : [])]);
  index.add(indexEntry(place, item.profile, item.publishedAt, item.compared?.profile), replace);
  if (item.compared) index.rememberDerived({ itemId }, item.compared);
}

/** Where a stored item lives. */
export interface Place {
  itemId: number;
  storyId: number;
  feedId: number;
  outlet: string;
}

/** What the candidate index stores of an item; `compared`: its profile without the MinHash, if made already. */
export function indexEntry(place: Place, profile: ItemProfile, publishedAt: number, compared: TermProfile = termProfile(profile)): IndexEntry {
  const { minhash } = profile;
  return { ...place, publishedAt, minhash, terms: profileTerms(profile), bands: minhashBands(parseMinhash(minhash)), profile: JSON.stringify(compared) };
}
