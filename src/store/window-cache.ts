/**
 * An indexed item held in memory: what candidate lookup needs without a query. Kept small (no terms,
 * MinHash or profile text; the store has them): a busy window holds tens of thousands of items.
 */
export interface CachedItem {
  itemId: number;
  storyId: number;
  feedId: number;
  outlet: string;
  publishedAt: number;
  /** What clustering derived from the profile (parsed, weighed); dropped with the item. */
  derived?: unknown;
}

/** The keys an item is found by: its distinct terms and its MinHash band keys. */
interface IndexKeys {
  terms: readonly string[];
  bands: readonly number[];
}

/** An item with its keys, as loaded or added. */
export interface WindowEntry {
  item: CachedItem;
  keys: IndexKeys;
}

/**
 * Postings of one term counted per query, the nearest in published time to the middle of the query's range
 * (the new item's own time) first, among those within the range. A term in more items than this within the window says little about which story an
 * item belongs to, and scanning it whole would make each lookup cost grow with the window (a busy window
 * holds tens of thousands of items).
 */
const MAX_POSTINGS_MATCHED = 150;

/** Deleted items whose postings are swept at once, at least (or half the items held, if more). */
const MIN_DEAD_SWEPT = 5_000;
/** Merges noted before they are written into the items held (one pass over them). */
const MAX_MOVED_STORIES = 50_000;

/** An item's place in the postings: its time and id copied out, so a lookup touches nothing else. */
class Slot {
  readonly at: number;
  readonly id: number;
  /** Scratch space of match(): the query this score belongs to, and the score. */
  query = 0;
  score = 0.5;
  /** False once the item is deleted: its postings are skipped, and dropped when the window moves on. */
  alive = true;

  constructor(readonly item: CachedItem) {
    this.at = item.publishedAt;
    this.id = item.itemId;
  }
}

/**
 * The inverted index (terms and MinHash bands) over one contiguous span of published time, held in
 * memory and filled from the store on demand: lookups within the window cost no query. The span covers
 * every indexed item published in it, or nothing. It spans at least `maxSpanMs` and reaches further back
 * while it holds fewer than `maxItems` items: a first poll's backlogs go days back, feed after feed, and a
 * window that forgot them between feeds read the whole store again for each (most of a first poll's time).
 * Past `maxItems`, memory follows the window, not the history.
 */
export class WindowCache {
  private readonly slots = new Map<number, Slot>();
  private postings: Postings<string> = new Map();
  private bandPostings: Postings<number> = new Map();
  private span: { from: number; to: number; open: boolean } | null = null;
  /** Items deleted since their postings were last swept. */
  private dead = 0;
  /** Stories merged away while items of theirs were held: absorbed id -> survivor. */
  private readonly moved = new Map<number, number>();
  private queries = 0;

  constructor(
    private readonly maxSpanMs: number,
    private readonly maxItems = 60_000,
  ) {}

  /** True when every indexed item published within [from, to] is in memory. */
  covers(from: number, to: number): boolean {
    return this.span !== null && this.span.from <= from && (this.span.open || to <= this.span.to);
  }

  /**
   * Makes the span cover [from, to] with `load`, which returns the stored items published in a range.
   * `newestStored` is the latest published time in the store: a span reaching it stays open to the
   * future, since later items arrive through add(). While it holds fewer than its item budget it grows to
   * take in what it is asked for, gap included; past it, memory follows the window: what lies more than the
   * maximum span behind it goes, and a jump elsewhere starts afresh.
   */
  ensure(from: number, to: number, newestStored: number, load: (from: number, to: number) => WindowEntry[], count: (from: number, to: number) => number): void {
    const span = this.span;
    // Room for what a gap holds: one old-dated item must not pull a season of history into memory.
    const roomFor = (a: number, b: number) => this.slots.size < this.maxItems && this.slots.size + count(a, b) <= this.maxItems;
    const roomy = span !== null && (from > span.to + 1 ? roomFor(span.to + 1, to) : from < span.from ? roomFor(from, span.from - 1) : true);
    if (span && from >= span.from && (from <= span.to + 1 || roomy) && !this.covers(from, to)) {
      for (const entry of load(span.to + 1, to)) this.put(entry);
      span.to = to;
      span.open = to >= newestStored;
    } else if (span && from < span.from && (to >= span.from - 1 || roomy) && (span.open || to <= span.to) && (span.to - from <= this.maxSpanMs || roomy)) {
      for (const entry of load(from, span.from - 1)) this.put(entry);
      span.from = from;
    } else if (!this.covers(from, to)) {
      this.clear();
      for (const entry of load(from, to)) this.put(entry);
      this.span = { from, to, open: to >= newestStored };
    }
    this.followWindow(from);
  }

  /** Memory follows the window once it holds enough: what lies more than the maximum span behind a query's start goes. */
  followWindow(from: number): void {
    if (this.span && from - this.span.from > this.maxSpanMs && this.slots.size > this.maxItems) this.evictBefore(from - this.maxSpanMs / 2);
  }

  /** Drops what lies before `before` (the window has moved on); the span starts there afterwards. */
  evictBefore(before: number): void {
    if (!this.span || before <= this.span.from) return;
    for (const [id, slot] of this.slots) if (slot.at < before) this.slots.delete(id);
    evictPostings(this.postings, before);
    evictPostings(this.bandPostings, before);
    this.dead = 0;
    if (before > this.span.to && !this.span.open) this.span = null;
    else this.span.from = before;
  }

  /** Adds a newly indexed item if its time lies within the span (outside, it is loaded when needed). */
  add(entry: WindowEntry): void {
    const at = entry.item.publishedAt;
    if (this.span && at >= this.span.from && (this.span.open || at <= this.span.to)) this.put(entry);
  }

  /**
   * Forgets an item (edited or deleted). Its postings stay, skipped, until the window moves past them:
   * finding them would need the keys it was indexed with, which an edit or a delete has already replaced.
   */
  delete(itemId: number): void {
    const slot = this.slots.get(itemId);
    if (!slot) return;
    slot.alive = false;
    slot.item.derived = undefined;
    this.slots.delete(itemId);
    // Dead postings also go when the window moves on; a window that never does (under its budget) sweeps them.
    if (++this.dead > Math.max(MIN_DEAD_SWEPT, this.slots.size / 2)) {
      evictPostings(this.postings, Number.NEGATIVE_INFINITY);
      evictPostings(this.bandPostings, Number.NEGATIVE_INFINITY);
      this.dead = 0;
    }
  }

  /**
   * Records that every item of one story now belongs to another (a merge): noted once, and followed when an
   * item's story is read (storyOf), since rewriting every item held took a first poll's merges a tenth of
   * their time.
   */
  moveStory(from: number, to: number): void {
    if (from === to) return;
    this.moved.set(from, to);
    if (this.moved.size > MAX_MOVED_STORIES) {
      for (const slot of this.slots.values()) this.storyOf(slot.item);
      this.moved.clear();
    }
  }

  /** The story an item held in memory belongs to now (it may have been merged since it was cached). */
  storyOf(item: CachedItem): number {
    let id = item.storyId;
    for (let next = this.moved.get(id); next !== undefined; next = this.moved.get(id)) id = next;
    item.storyId = id;
    return id;
  }

  /** Forgets everything (the database changed behind this cache). */
  clear(): void {
    this.slots.clear();
    this.moved.clear();
    this.dead = 0;
    this.postings = new Map();
    this.bandPostings = new Map();
    this.span = null;
  }

  /** The cached item, if in memory. */
  get(itemId: number): CachedItem | undefined {
    return this.slots.get(itemId)?.item;
  }

  /** Items within [from, to] sharing weighted terms, best summed weight first (ties: lower id). */
  match(weights: ReadonlyMap<string, number>, from: number, to: number, limit: number, except: ReadonlySet<number>): Array<{ itemId: number; score: number }> {
    const query = ++this.queries;
    const touched: Slot[] = [];
    const center = (from + to) / 2;
    for (const [term, weight] of weights) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const count = (slot: Slot) => {
        if (slot.query !== query) {
          slot.query = query;
          slot.score = 0;
          touched.push(slot);
        }
        slot.score += weight;
      };
      if (posting instanceof Slot) {
        if (posting.alive && posting.at >= from && posting.at <= to) count(posting);
        continue;
      }
      // Postings are in published order. A term with few postings in range counts them all; a common one
      // walks out from the middle of the range (the query's own time), the nearest in time first.
      const last = lastAtOrBefore(posting, to);
      const first = lastAtOrBefore(posting, from - 1) + 1;
      if (last - first < MAX_POSTINGS_MATCHED) {
        for (let i = first; i <= last; i++) if (posting[i]!.alive) count(posting[i]!);
        continue;
      }
      let before = lastAtOrBefore(posting, center);
      let after = before + 1;
      for (let matched = 0; matched < MAX_POSTINGS_MATCHED && (before >= first || after <= last); ) {
        const slot = after > last || (before >= first && center - posting[before]!.at <= posting[after]!.at - center) ? posting[before--]! : posting[after++]!;
        if (!slot.alive) continue;
        matched++;
        count(slot);
      }
    }
    return topSlots(except.size > 0 ? touched.filter((s) => !except.has(s.id)) : touched, limit).map((s) => ({ itemId: s.id, score: s.score }));
  }

  /** Items within [from, to] sharing any MinHash band key. */
  bandMatches(bands: readonly number[], from: number, to: number): CachedItem[] {
    const found = new Map<number, CachedItem>();
    for (const band of bands) {
      const posting = this.bandPostings.get(band);
      if (!posting) continue;
      for (const slot of posting instanceof Slot ? [posting] : posting) {
        const { item } = slot;
        if (slot.alive && item.publishedAt >= from && item.publishedAt <= to) found.set(item.itemId, item);
      }
    }
    return [...found.values()];
  }

  private put({ item, keys }: WindowEntry): void {
    this.delete(item.itemId);
    const slot = new Slot(item);
    this.slots.set(item.itemId, slot);
    for (const term of keys.terms) link(this.postings, term, slot);
    for (const band of keys.bands) link(this.bandPostings, band, slot);
  }
}

function better(a: Slot, b: Slot): boolean {
  return a.score > b.score || (a.score === b.score && a.id < b.id);
}

/** The `limit` best slots, best first, without sorting everything touched. */
function topSlots(slots: Slot[], limit: number): Slot[] {
  if (slots.length <= limit) return slots.sort((a, b) => (better(a, b) ? -1 : 1));
  // A min-heap of the best so far: its root is the worst kept.
  const heap: Slot[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && better(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && better(heap[worst]!, heap[r]!)) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (const slot of slots) {
    if (heap.length < limit) {
      heap.push(slot);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!better(heap[parent]!, heap[i]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (better(slot, heap[0]!)) {
      heap[0] = slot;
      down(0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : 1));
}

/**
 * Postings by key, in published order (ties: indexing order). Most keys (nearly every MinHash band, the
 * long tail of terms) have one item: it is held directly, since an array per key made up a third of the
 * window's memory.
 */
type Postings<K> = Map<K, Slot | Slot[]>;

/** Index of the last slot published at or before `at` (-1: none). */
function lastAtOrBefore(list: readonly Slot[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.at <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function link<K>(index: Postings<K>, key: K, slot: Slot): void {
  const posting = index.get(key);
  if (posting === undefined) index.set(key, slot);
  else if (posting instanceof Slot) index.set(key, posting.at <= slot.at ? [posting, slot] : [slot, posting]);
  // Live items are mostly the newest: an append. A backlog arriving out of order is put in its place.
  else if (posting[posting.length - 1]!.at <= slot.at) posting.push(slot);
  else posting.splice(lastAtOrBefore(posting, slot.at) + 1, 0, slot);
}

/** Drops the postings of items published before `before`, and of deleted items. */
function evictPostings<K>(index: Postings<K>, before: number): void {
  for (const [key, posting] of index) {
    if (posting instanceof Slot) {
      if (posting.at < before || !posting.alive) index.delete(key);
      continue;
    }
    const kept = posting.filter((slot) => slot.at >= before && slot.alive);
    if (kept.length === 0) index.delete(key);
    else index.set(key, kept.length === 1 ? kept[0]! : kept);
  }
}
