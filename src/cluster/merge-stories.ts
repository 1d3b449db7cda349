import type { DedupConfig } from '../config/config-schema.js';
import type { ComparedItem } from '../dedup/similarity.js';
import { TermStatistics } from '../dedup/term-statistics.js';
import { candidateVerdicts, comparedItems, indexEntry, LONE_REPORT_PAIR, LONE_REPORT_SHARE, loadTerms, weighedTerms, type ClusterSession } from './assign-story.js';
import type { IndexedItem } from './candidate-index.js';
import type { ClusterEngine } from './cluster-engine.js';
import { profileEntry } from './item-lede.js';
import type { MergeVerdicts } from './merge-verdicts.js';
import { defaultSimilarity, type ClusterOptions } from './store-entries.js';
import { mergeStoryInto, refreshStory } from './story-edits.js';

/** Items stored before clustering existed that one pass indexes (an upgrade catches up over a few passes). */
const BACKLOG_PER_PASS = 500;
/** How many of a story's newest items speak for it when stories are compared. */
const SPOKESPERSONS = 4;

/**
 * How strongly story `from` says it reports the same event as story `to`: for each of its newest items,
 * the support of `to` among that item's candidates (its fellow members left out; 0 when `to` is not
 * among them), averaged over the items. A story converges with another only when most of its members
 * agree, not when one look-alike does. Members are asked one at a time, so that a caller can stop once
 * the answer can no longer matter.
 */
class StoryLink {
  private members: IndexedItem[] | null = null;
  private compared: ComparedItem[] = [];
  private total = 0;
  private asked = 0;
  /** For a story of one item, once asked: how likely that item's likeliest candidate in `to` reports the same event (else 0). */
  nearest = 0;

  constructor(
    private readonly engine: ClusterEngine,
    private readonly from: number,
    private readonly to: number,
    private readonly dedup: DedupConfig,
    private readonly session: ClusterSession,
    private readonly pass: MergeVerdicts,
  ) {}

  /** True when the story is one item (its members are read if they were not). */
  get lone(): boolean {
    if (this.members === null) this.askNext();
    return this.members!.length === 1;
  }

  /** True once every member has been asked. */
  get done(): boolean {
    return this.members !== null && this.asked === this.members.length;
  }

  /** The most the link can still be (each member not yet asked counted as full agreement); its value once done. */
  get upper(): number {
    if (this.members === null) return 1;
    const n = this.members.length;
    return n === 0 ? 0 : (this.total + n - this.asked) / n;
  }

  /** Asks the next member (the story's members are read on the first call). */
  askNext(): void {
    const { engine, session, dedup } = this;
    if (this.members === null) {
      this.members = engine.index.storyItems(this.from, SPOKESPERSONS);
      this.compared = comparedItems(engine, this.members);
      return;
    }
    const ids = this.members.map((m) => m.itemId);
    const member = this.compared[this.asked]!;
    const support = this.pass.support(this.members[this.asked]!, ids, this.to, dedup.sameOutletPenalty, () => {
      loadTerms(engine, session.terms, weighedTerms(member.profile));
      return candidateVerdicts(engine, member, dedup, session, new Set(ids));
    });
    this.total += support.probability;
    if (this.members.length === 1) this.nearest = support.best;
    this.asked++;
  }
}

/**
 * The link of two stories averaged over both directions, or a value below `floor` as soon as the mean
 * cannot reach it (most hints fall short: asking the two sides in turn finds that out with fewer lookups).
 */
function meanLink(forward: StoryLink, backward: StoryLink, floor: number): number {
  let turn = 0;
  while (!(forward.done && backward.done)) {
    if ((forward.upper + backward.upper) / 2 < floor) break;
    const side = backward.done || (!forward.done && turn++ % 2 === 0) ? forward : backward;
    side.askNext();
  }
  return (forward.upper + backward.upper) / 2;
}

/** Indexes items stored before the clustering index existed, a bounded number per pass; true when none is left. */
function indexBacklog({ store, index }: ClusterEngine): boolean {
  if (store.clustering.backfilled()) return true;
  const items = store.clustering.unindexed(BACKLOG_PER_PASS);
  for (const item of items) {
    index.add(indexEntry({ itemId: item.id, storyId: item.storyId, feedId: item.feedId, outlet: item.outlet }, profileEntry(item), item.publishedAt));
  }
  if (items.length < BACKLOG_PER_PASS) store.clustering.markBackfilled();
  return items.length < BACKLOG_PER_PASS;
}

/** What one merge pass did. */
export interface MergePass {
  /** Stories merged away. */
  merged: number;
  /** False when hints (or unindexed items) are left for another pass. */
  done: boolean;
}

/** Merge hints one pass checks at most: bounds how long one transaction holds the event loop. */
export const MERGE_HINTS_PER_PASS = 100;

/**
 * Merges stories that have become one. Items arriving out of order (a first poll, outlet by outlet) can
 * start two stories of one event before the items that bind them arrive; ingest notes such pairs when an
 * item finds two stories plausible, and this pass merges those whose link, averaged over both directions,
 * reaches the merge threshold (one direction alone can be low when one story is a single off-angle item);
 * a pair at or above `relatedThreshold` is linked as related coverage instead. Pairs a curator kept apart
 * are neither.
 * The survivor keeps the older id; the other is marked merged into it (its /stories/:id
 * redirects). One transaction over at most `maxHints` hints: call again while it is not done.
 */
export function mergeConvergedStories(engine: ClusterEngine, dedup: DedupConfig, now: number, options: ClusterOptions = {}, maxHints = MERGE_HINTS_PER_PASS): MergePass {
  const { store, index } = engine;
  return engine.write(() => {
    index.begin();
    const indexed = indexBacklog(engine);
    index.flush();
    const hints = store.clustering.takeMergeHints(maxHints);
    const done = indexed && hints.length < maxHints;
    if (hints.length === 0) return { merged: 0, done };
    const session: ClusterSession = {
      similarity: options.similarity ?? defaultSimilarity(),
      terms: new TermStatistics(index.documentCount(), [], options.reference),
    };
    let version: number | null = null;
    const storyVersion = () => (version ??= store.stories.nextVersion());
    const pass = engine.mergeVerdicts;
    pass.begin(index.version);
    let merged = 0;
    for (const hint of hints) {
      const a = store.stories.resolve(hint.storyId);
      const b = store.stories.resolve(hint.otherId);
      if (a === null || b === null || a === b || store.corrections.keptApart(a, b) !== null) continue;
      const threshold = dedup.mergeThreshold;
      // Below this the pair is neither merged nor linked (a weak link must beat the stories' other links).
      const floor = Math.min(threshold, store.links.leastKept(a, b, dedup.relatedThreshold));
      const forward = new StoryLink(engine, a, b, dedup, session, pass);
      const backward = new StoryLink(engine, b, a, dedup, session, pass);
      const loneFloor = Math.min(floor, LONE_REPORT_SHARE * dedup.relatedThreshold);
      const mean = meanLink(forward, backward, forward.lone || backward.lone ? loneFloor : floor);
      // A lone report whose likeliest item in the other story speaks for it is linked from the lower floor (LONE_REPORT_PAIR).
      if (mean < (Math.max(forward.nearest, backward.nearest) >= LONE_REPORT_PAIR ? loneFloor : floor)) continue;
      if (mean < threshold) {
        // Likely one event but not safe to merge: related coverage.
        store.links.link(a, b, mean);
        continue;
      }
      const survivor = Math.min(a, b);
      const absorbed = Math.max(a, b);
      mergeStoryInto(engine, absorbed, survivor, now, storyVersion());
      pass.merged(absorbed, survivor);
      refreshStory(store, survivor, now, storyVersion());
      merged++;
    }
    pass.end(index.version);
    return { merged, done };
  });
}
