import type { CorrectionItem, CorrectionKind, StoredCorrection } from '../store/corrections.js';
import type { Store } from '../store/store.js';
import type { ClusterEngine } from './cluster-engine.js';
import { mergeStoryInto, refreshStory } from './story-edits.js';

/** A curator's correction as the admin API takes it (already validated in shape). */
export type CorrectionRequest =
  | { kind: 'merge'; story: number; into: number }
  | { kind: 'split'; story: number; items: number[] }
  | { kind: 'apart'; story: number; from: number };

/** What a correction did: the correction's id and the story the curator should look at next. */
export interface CorrectionResult {
  correctionId: number;
  /** merge: the survivor; split: the new story; apart: the story acted on. */
  storyId: number;
}

/** A correction that cannot be made; `field` names the request field at fault, `missing` makes it a 404. */
export class CorrectionRejected extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly missing = false,
  ) {
    super(message);
    this.name = 'CorrectionRejected';
  }
}

/**
 * Applies a curator's correction in one transaction and records it, so that every automatic stage obeys it
 * from then on: `merge` moves every item of `story` into `into` (which keeps its id); `split` moves the
 * listed items to a new story and keeps them apart from those left behind; `apart` keeps the two stories'
 * items from ever sharing a story (also through a third). The machine never splits a story, so a merge holds.
 */
function applyCorrection(engine: ClusterEngine, request: CorrectionRequest, now: number): CorrectionResult {
  const { store, index } = engine;
  return engine.write(() => {
    index.begin();
    const story = current(store, request.story, 'story');
    const result = apply(engine, story, request, now);
    // Items changed story outside the in-memory index's bookkeeping: it reloads from the store.
    index.forget();
    return result;
  });
}

function apply(engine: ClusterEngine, story: number, request: CorrectionRequest, now: number): CorrectionResult {
  const { store } = engine;
  const version = store.stories.nextVersion();
  const itemsOf = (id: number) => store.items.members(id).map((m) => m.id);
  switch (request.kind) {
    case 'merge': {
      const into = current(store, request.into, 'into');
      if (into === story) throw new CorrectionRejected('into', `story ${request.story} and story ${request.into} are already one story (${into})`);
      const correctionId = store.corrections.add('merge', story, into, now, [itemsOf(story), itemsOf(into)]);
      // The curator's latest word wins over an earlier "apart" or "split" between these two.
      store.corrections.forgetApart(story, into);
      mergeStoryInto(engine, story, into, now, version);
      refreshStory(store, into, now, version);
      return { correctionId, storyId: into };
    }
    case 'split': {
      const rows = store.items.members(story);
      const members = rows.map((m) => m.id);
      const inStory = new Set(members);
      const moved = [...new Set(request.items)];
      const foreign = moved.filter((id) => !inStory.has(id));
      if (foreign.length > 0) throw new CorrectionRejected('items', `item ${foreign.slice(0, 5).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not in story ${story}`);
      if (moved.length === members.length) throw new CorrectionRejected('items', `items names every item of story ${story}: leave at least one`);
      const publishedAt = Math.min(...rows.filter((m) => moved.includes(m.id)).map((m) => m.publishedAt));
      const created = store.stories.create(publishedAt, now);
      store.items.moveItems(moved, created);
      const stayed = members.filter((id) => !moved.includes(id));
      const correctionId = store.corrections.add('split', story, created, now, [stayed, moved]);
      // Links were measured on the story as it was; later items and passes link both halves afresh.
      store.links.clear(story);
      refreshStory(store, story, now, version);
      refreshStory(store, created, now, version);
      return { correctionId, storyId: created };
    }
    case 'apart': {
      const from = current(store, request.from, 'from');
      if (from === story) throw new CorrectionRejected('from', `story ${request.story} and story ${request.from} are one story (${from}): split it instead`);
      const correctionId = store.corrections.add('apart', story, from, now, [itemsOf(story), itemsOf(from)]);
      store.links.unlink(story, from);
      return { correctionId, storyId: story };
    }
  }
}

/** The live story an id names now (following merges); a 404 naming the field when there is none. */
function current(store: Store, id: number, field: string): number {
  const live = store.stories.resolve(id);
  if (live === null || store.items.members(live).length === 0) throw new CorrectionRejected(field, `no story ${id}`, true);
  return live;
}

/** How a correction request ended, as it crosses from the ingest thread to the admin API. */
export type CorrectionOutcome =
  | { status: 'applied'; result: CorrectionResult }
  | { status: 'rejected'; field: string; message: string; missing: boolean }
  | { status: 'interrupted'; reason: string };

/** Applies a correction and says how it ended, never throwing for what the request got wrong. */
export function tryCorrection(engine: ClusterEngine, request: CorrectionRequest, now: number): CorrectionOutcome {
  try {
    return { status: 'applied', result: applyCorrection(engine, request, now) };
  } catch (err) {
    if (err instanceof CorrectionRejected) return { status: 'rejected', field: err.field, message: err.message, missing: err.missing };
    throw err;
  }
}

/** One item of a labeled pair, as training reads it. */
export interface PairItem {
  id: number;
  outlet: string;
  title: string;
  summary: string;
  published: string;
}

/** A curator's judgement as a training example: label 1 = same event (merge), 0 = not (split, apart). */
export interface CorrectionPair {
  label: 0 | 1;
  kind: CorrectionKind;
  correction: number;
  at: string;
  a: PairItem;
  b: PairItem;
}

/** Pairs one correction yields at most: a big story merged into another must not drown the rest. */
const MAX_PAIRS_PER_CORRECTION = 100;

/** Every correction's items as labeled pairs across its two sides (still-stored items only). */
export function correctionPairs(corrections: ReadonlyArray<Omit<StoredCorrection, 'sides'>>, items: readonly CorrectionItem[]): CorrectionPair[] {
  const byCorrection = new Map<number, [CorrectionItem[], CorrectionItem[]]>();
  for (const item of items) (byCorrection.get(item.correctionId) ?? byCorrection.set(item.correctionId, [[], []]).get(item.correctionId)!)[item.side].push(item);
  const pairItem = (i: CorrectionItem): PairItem => ({ id: i.itemId, outlet: i.outlet, title: i.title, summary: i.summary, published: new Date(i.publishedAt).toISOString() });
  const out: CorrectionPair[] = [];
  for (const c of corrections) {
    const [left, right] = byCorrection.get(c.id) ?? [[], []];
    let n = 0;
    for (const a of left) {
      for (const b of right) {
        if (n++ >= MAX_PAIRS_PER_CORRECTION) break;
        out.push({ label: c.kind === 'merge' ? 1 : 0, kind: c.kind, correction: c.id, at: new Date(c.at).toISOString(), a: pairItem(a), b: pairItem(b) });
      }
    }
  }
  return out;
}
