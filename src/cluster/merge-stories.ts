import type { DedupConfig } from '../config/config-schema.js';
import { TermStatistics } from '../dedup/term-statistics.js';
import type { Store } from '../store/store.js';
import { storySupport } from '../dedup/choose-story.js';
import { candidateVerdicts, comparedItems, indexEntry, loadTerms, weighedTerms, type ClusterSession, type ItemVerdict } from './assign-story.js';
import { profileEntry } from './item-lede.js';
import { defaultSimilarity, type ClusterOptions } from './store-entries.js';
import { mergeStoryInto, refreshStory } from './story-edits.js';

/** Items stored before clustering existed that one pass indexes (an upgrade catches up over a few passes). */
const BACKLOG_PER_PASS = 500;
/** How many of a story's newest items speak for it when stories are compared. */
const SPOKESPERSONS = 4;

/**
 * Candidate verdicts of story members asked about during one merge pass. Nothing a lookup reads changes
 * within a pass (no item is added; term weights are the pass's), so a member asked about again with the
 * same fellow members left out (several hints name one story) is not looked up and scored again; only the
 * stories its candidates belong to move, with the pass's own merges.
 */
class PassVerdicts {
  private readonly verdicts = new Map<string, ItemVerdict[]>();
  private readonly moved = new Map<number, number>();

  /** The member's verdicts, `except` (its fellow members) left out of its candidates. */
  of(member: { itemId: number }, except: readonly number[], lookUp: () => ItemVerdict[]): ItemVerdict[] {
    const key = `${member.itemId}:${except.join(',')}`;
    let found = this.verdicts.get(key);
    if (!found) this.verdicts.set(key, (found = lookUp()));
    return found;
  }

  /** The support of story `to` among a member's verdicts, with the stories as they are now. */
  support(verdicts: readonly ItemVerdict[], to: number, sameOutletPenalty: number): number {
    const now = verdicts.map((v) => ({ ...v, storyId: this.storyOf(v.storyId) }));
    return storySupport(now, sameOutletPenalty).find((s) => s.storyId === to)?.probability ?? 0;
  }

  /** Notes a merge of this pass. */
  merged(absorbed: number, survivor: number): void {
    this.moved.set(absorbed, survivor);
  }

  private storyOf(id: number): number {
    for (let next = this.moved.get(id); next !== undefined; next = this.moved.get(id)) id = next;
    return id;
  }
}

/**
 * How strongly story `from` says it reports the same event as story `to`: for each of its newest items,
 * the support of `to` among that item's candidates (its fellow members left out; 0 when `to` is not
 * among them), averaged over the items. A story converges with another only when most of its members
 * agree, not when one look-alike does.
 */
function link(store: Store, from: number, to: number, dedup: DedupConfig, session: ClusterSession, pass: PassVerdicts, needed: number): number {
  const members = store.clusters.storyItems(from, SPOKESPERSONS);
  if (members.length === 0) return 0;
  const ids = members.map((m) => m.itemId);
  const own = new Set(ids);
  const compared = comparedItems(store, members);
  let total = 0;
  for (const [k, member] of compared.entries()) {
    // Stop once even full agreement of the members left could not reach what is needed.
    if ((total + (compared.length - k)) / compared.length < needed) return total / compared.length;
    const verdicts = pass.of(members[k]!, ids, () => {
      loadTerms(store, session.terms, weighedTerms(member.profile));
      return candidateVerdicts(store, member, dedup, session, own);
    });
    total += pass.support(verdicts, to, dedup.sameOutletPenalty);
  }
  return total / compared.length;
}

/** Indexes items stored before the clustering index existed, a bounded number per pass; true when none is left. */
function indexBacklog(store: Store): boolean {
  if (store.clusters.backfilled()) return true;
  const items = store.clusters.unindexed(BACKLOG_PER_PASS);
  for (const item of items) {
    store.clusters.add(indexEntry({ itemId: item.id, storyId: item.storyId, feedId: item.feedId, outlet: item.outlet }, profileEntry(item), item.publishedAt));
  }
  if (items.length < BACKLOG_PER_PASS) store.clusters.markBackfilled();
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
export function mergeConvergedStories(store: Store, dedup: DedupConfig, now: number, options: ClusterOptions = {}, maxHints = MERGE_HINTS_PER_PASS): MergePass {
  return store.write(() => {
    store.clusters.begin();
    const indexed = indexBacklog(store);
    store.clusters.flush();
    const hints = store.clusters.takeMergeHints(maxHints);
    const done = indexed && hints.length < maxHints;
    if (hints.length === 0) return { merged: 0, done };
    const session: ClusterSession = {
      similarity: options.similarity ?? defaultSimilarity(),
      terms: new TermStatistics(store.clusters.documentCount(), [], options.reference),
    };
    let version: number | null = null;
    const storyVersion = () => (version ??= store.stories.nextVersion());
    const pass = new PassVerdicts();
    let merged = 0;
    for (const hint of hints) {
      const a = store.stories.resolve(hint.storyId);
      const b = store.stories.resolve(hint.otherId);
      if (a === null || b === null || a === b || store.corrections.keptApart(a, b) !== null) continue;
      const threshold = dedup.mergeThreshold;
      // Below 2·floor − 1 one way, the mean of both ways cannot reach the floor: the other is not asked.
      const floor = Math.min(threshold, dedup.relatedThreshold);
      const forward = link(store, a, b, dedup, session, pass, 2 * floor - 1);
      const mean = forward < 2 * floor - 1 ? forward / 2 : (forward + link(store, b, a, dedup, session, pass, 2 * floor - forward)) / 2;
      if (mean < threshold) {
        // Likely one event but not safe to merge: related coverage.
        if (mean >= dedup.relatedThreshold) store.links.link(a, b, mean);
        continue;
      }
      const survivor = Math.min(a, b);
      const absorbed = Math.max(a, b);
      mergeStoryInto(store, absorbed, survivor, now, storyVersion());
      pass.merged(absorbed, survivor);
      refreshStory(store, survivor, now, storyVersion());
      merged++;
    }
    return { merged, done };
  });
}
