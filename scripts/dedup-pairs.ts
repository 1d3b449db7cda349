/**
 * Training pairs for the pair model, recorded from the ingest path itself: the labeled items are replayed
 * through storeEntries (in each order the server sees), and every candidate the same-event stage scores is
 * written down with its features, the item's and the candidate's labels. So the model learns on exactly
 * what it will be asked: online document frequencies, the candidates the index returns, their ranks.
 */
import type { DedupConfig } from '../src/config/config-schema.js';
import type { Example } from './fit-boosted-trees.js';
import { profileItem } from '../src/dedup/item-profile.js';
import { DEFAULT_PAIR_MODEL } from '../src/dedup/default-pair-model.js';
import { LexicalSimilarity, type ComparedItem, type EventSimilarity } from '../src/dedup/similarity.js';
import type { ReferenceTerms } from '../src/dedup/term-statistics.js';
import type { TermWeights } from '../src/dedup/term-vector.js';
import { replay, type LabeledItem, type ReplayOrder } from './dedup-replay.js';

/** A training pair: which items (indexes into the labeled list), and the example the model learns from. */
export interface LabeledPair extends Example {
  a: number;
  b: number;
}

/** Scores nothing as the same event (so stories never depend on a model) and records every scored pair. */
class RecordingSimilarity implements EventSimilarity {
  private readonly lexical = new LexicalSimilarity(DEFAULT_PAIR_MODEL);
  readonly pairs: LabeledPair[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly indexOf: (item: ComparedItem) => number | undefined, private readonly items: readonly LabeledItem[]) {}

  score(item: ComparedItem, candidates: readonly ComparedItem[], weights: TermWeights): number[] {
    const a = this.indexOf(item);
    const features = this.lexical.features(item, candidates, weights);
    candidates.forEach((candidate, k) => {
      const b = this.indexOf(candidate);
      if (a === undefined || b === undefined || this.seen.has(`${a}:${b}`)) return;
      this.seen.add(`${a}:${b}`);
      this.pairs.push({ a, b, features: features[k]!, label: this.items[a]!.cluster === this.items[b]!.cluster ? 1 : 0 });
    });
    return candidates.map(() => -20);
  }
}

/** Replays the items in each order and returns every candidate pair the same-event stage scored. */
export function candidatePairs(items: readonly LabeledItem[], dedup: DedupConfig, reference?: ReferenceTerms | null, orders: readonly ReplayOrder[] = ['published', 'feeds']): LabeledPair[] {
  const byProfile = new Map<string, number>();
  items.forEach((item, i) => byProfile.set(`${item.source}\u0000${JSON.stringify(profileItem(item.title, item.summary))}`, i));
  const indexOf = (c: ComparedItem) => byProfile.get(`${c.outlet}\u0000${JSON.stringify(c.profile)}`);
  const pairs: LabeledPair[] = [];
  for (const order of orders) {
    const recorder = new RecordingSimilarity(indexOf, items);
    replay(items, { order, dedup, similarity: recorder, reference });
    pairs.push(...recorder.pairs);
  }
  return pairs;
}
