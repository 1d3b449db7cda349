import type { ProfiledItem } from '../store/cluster-tables.js';
import { BandIndex } from './band-index.js';
import type { RecencyLinks } from './recency-list.js';

/**
 * An indexed item held in memory: what candidate lookup needs without a query. Kept small (no terms,
 * MinHash or profile text; the store has them): a busy window holds tens of thousands of items.
 */
export interface CachedItem extends ProfiledItem, RecencyLinks<CachedItem> {
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

/**
 * Postings of one term: slot numbers in published order (ties: indexing order). Most terms (the long
 * tail) have one item: its slot number is held directly.
 */
type Posting = number | PostingList;

/** A growable list of slot numbers: four bytes a posting, read in order without chasing pointers. */
class PostingList {
  slots: Int32Array;
  length: number;

  constructor(first: number, second: number) {
    this.slots = new Int32Array(4);
    this.slots[0] = first;
    this.slots[1] = second;
    this.length = 2;
  }

  /** Puts a slot at `index`, moving the later ones up. */
  insert(index: number, slot: number): void {
    if (this.length === this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2);
      grown.set(this.slots);
      this.slots = grown;
    }
    if (index < this.length) this.slots.copyWithin(index + 1, index, this.length);
    this.slots[index] = slot;
    this.length++;
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
  /**
   * What each item held has, by slot number: a lookup reads and scores these flat arrays, not one object
   * per item (scattered over the heap, they made every posting read a cache miss).
   */
  private items: Array<CachedItem | undefined> = [];
  private at = new Float64Array(1024);
  private ids = new Float64Array(1024);
  private alive = new Uint8Array(1024);
  /** Scratch space of match(): the query a slot's score belongs to, and the score. */
  private stamp = new Uint32Array(1024);
  private score = new Float64Array(1024);
  /** Slots no posting refers to any more, to be reused; slots of deleted items wait for the next sweep. */
  private free: number[] = [];
  private deadSlots: number[] = [];
  private nextSlot = 0;
  private readonly slotOfItem = new Map<number, number>();
  private postings = new Map<string, Posting>();
  private bands = new BandIndex();
  private span: { from: number; to: number; open: boolean } | null = null;
  /** Stories merged away while items of theirs were held: absorbed id -> survivor. */
  private readonly moved = new Map<number, number>();
  private queries = 0;
  /** Scratch space of match(): the slots the current query touched. */
  private readonly touched: number[] = [];

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
    const held = this.slotOfItem.size;
    // Room for what a gap holds: one old-dated item must not pull a season of history into memory.
    const roomFor = (a: number, b: number) => held < this.maxItems && held + count(a, b) <= this.maxItems;
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
    if (this.span && from - this.span.from > this.maxSpanMs && this.slotOfItem.size > this.maxItems) this.evictBefore(from - this.maxSpanMs / 2);
  }

  /** Drops what lies before `before` (the window has moved on); the span starts there afterwards. */
  evictBefore(before: number): void {
    if (!this.span || before <= this.span.from) return;
    const gone: number[] = [];
    for (const [id, slot] of this.slotOfItem) {
      if (this.at[slot]! < before) {
        this.slotOfItem.delete(id);
        this.alive[slot] = 0;
        gone.push(slot);
      }
    }
    this.sweep(gone);
    if (before > this.span.to && !this.span.open) this.span = null;
    else this.span.from = before;
  }

  /** Adds a newly indexed item if its time lies within the span (outside, it is loaded when needed). */
  add(entry: WindowEntry): void {
    const at = entry.item.publishedAt;
    if (this.span && at >= this.span.from && (this.span.open || at <= this.span.to)) this.put(entry);
  }

  /**
   * Forgets an item (edited or deleted). Its postings stay, skipped, until the next sweep: finding them
   * would need the keys it was indexed with, which an edit or a delete has already replaced.
   */
  delete(itemId: number): void {
    const slot = this.slotOfItem.get(itemId);
    if (slot === undefined) return;
    this.alive[slot] = 0;
    this.items[slot]!.derived = undefined;
    this.slotOfItem.delete(itemId);
    this.deadSlots.push(slot);
    // Dead postings also go when the window moves on; a window that never does (under its budget) sweeps them.
    if (this.deadSlots.length > Math.max(MIN_DEAD_SWEPT, this.slotOfItem.size / 2)) this.sweep([]);
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
      for (const slot of this.slotOfItem.values()) this.storyOf(this.items[slot]!);
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
    this.items = [];
    this.free = [];
    this.deadSlots = [];
    this.nextSlot = 0;
    this.slotOfItem.clear();
    this.moved.clear();
    this.postings = new Map();
    this.bands = new BandIndex();
    this.span = null;
  }

  /** The cached item, if in memory. */
  get(itemId: number): CachedItem | undefined {
    const slot = this.slotOfItem.get(itemId);
    return slot === undefined ? undefined : this.items[slot];
  }

  /** Items within [from, to] sharing weighted terms, best summed weight first (ties: lower id). */
  match(weights: ReadonlyMap<string, number>, from: number, to: number, limit: number, except: ReadonlySet<number>): Array<{ itemId: number; score: number }> {
    if (++this.queries === 0xffffffff) {
      this.stamp.fill(0);
      this.queries = 1;
    }
    const query = this.queries;
    const { at, alive, stamp, score } = this;
    // The slots touched go to one scratch array: a first poll makes a hundred thousand lookups.
    const touched = this.touched;
    touched.length = 0;
    const count = (slot: number, weight: number) => {
      if (stamp[slot] === query) score[slot] = score[slot]! + weight;
      else {
        stamp[slot] = query;
        score[slot] = weight;
        touched.push(slot);
      }
    };
    // Items left out (a story's own members, when a merge pass asks) are stamped as already counted: they never join `touched`.
    for (const id of except) {
      const slot = this.slotOfItem.get(id);
      if (slot !== undefined) stamp[slot] = query;
    }
    const center = (from + to) / 2;
    for (const [term, weight] of weights) {
      const posting = this.postings.get(term);
      if (posting === undefined) continue;
      if (typeof posting === 'number') {
        if (alive[posting] === 1 && at[posting]! >= from && at[posting]! <= to) count(posting, weight);
        continue;
      }
      const list = posting.slots;
      // Postings are in published order. A term with few postings in range counts them all; a common one
      // walks out from the middle of the range (the query's own time), the nearest in time first.
      const last = this.lastAtOrBefore(posting, to);
      const first = this.lastAtOrBefore(posting, from - 1) + 1;
      if (last - first < MAX_POSTINGS_MATCHED) {
        for (let i = first; i <= last; i++) if (alive[list[i]!] === 1) count(list[i]!, weight);
        continue;
      }
      let before = this.lastAtOrBefore(posting, center);
      let after = before + 1;
      // How far each side's next posting lies from the middle (Infinity: that side is done).
      let behind = before >= first ? center - at[list[before]!]! : Infinity;
      let ahead = after <= last ? at[list[after]!]! - center : Infinity;
      for (let matched = 0; matched < MAX_POSTINGS_MATCHED && (behind !== Infinity || ahead !== Infinity); ) {
        let slot: number;
        if (behind <= ahead) {
          slot = list[before--]!;
          behind = before >= first ? center - at[list[before]!]! : Infinity;
        } else {
          slot = list[after++]!;
          ahead = after <= last ? at[list[after]!]! - center : Infinity;
        }
        if (alive[slot] !== 1) continue;
        matched++;
        count(slot, weight);
      }
    }
    return this.best(touched, limit).map((slot) => ({ itemId: this.ids[slot]!, score: score[slot]! }));
  }

  /** Items within [from, to] sharing any MinHash band key. */
  bandMatches(bands: readonly number[], from: number, to: number): CachedItem[] {
    const found = new Map<number, CachedItem>();
    const take = (slot: number) => {
      if (this.alive[slot] && this.at[slot]! >= from && this.at[slot]! <= to) found.set(this.ids[slot]!, this.items[slot]!);
    };
    for (const band of bands) this.bands.forEach(band, take);
    return [...found.values()];
  }

  private put({ item, keys }: WindowEntry): void {
    this.delete(item.itemId);
    const slot = this.free.pop() ?? this.newSlot();
    this.items[slot] = item;
    this.at[slot] = item.publishedAt;
    this.ids[slot] = item.itemId;
    this.alive[slot] = 1;
    this.slotOfItem.set(item.itemId, slot);
    for (const term of keys.terms) this.link(this.postings, term, slot);
    for (const band of keys.bands) this.bands.add(band, slot);
  }

  private newSlot(): number {
    const slot = this.nextSlot++;
    if (slot === this.at.length) {
      const size = this.at.length * 2;
      this.at = grown(this.at, new Float64Array(size));
      this.ids = grown(this.ids, new Float64Array(size));
      this.alive = grown(this.alive, new Uint8Array(size));
      this.stamp = grown(this.stamp, new Uint32Array(size));
      this.score = grown(this.score, new Float64Array(size));
    }
    return slot;
  }

  /** Drops the postings of items no longer alive: their slots (deleted ones, and `evicted`) are free afterwards. */
  private sweep(evicted: readonly number[]): void {
    sweepPostings(this.postings, this.alive);
    this.bands.sweep(this.alive);
    for (const slot of [...evicted, ...this.deadSlots]) {
      this.items[slot] = undefined;
      this.free.push(slot);
    }
    this.deadSlots = [];
  }

  private better(a: number, b: number): boolean {
    const { score, ids } = this;
    return score[a]! > score[b]! || (score[a] === score[b] && ids[a]! < ids[b]!);
  }

  /** The `limit` best slots, best first, without sorting everything touched. */
  private best(slots: number[], limit: number): number[] {
    const better = (a: number, b: number) => this.better(a, b);
    if (slots.length <= limit) return slots.sort((a, b) => (better(a, b) ? -1 : 1));
    // A min-heap of the best so far: its root is the worst kept.
    const heap: number[] = [];
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

  /** Index in a posting list of the last slot published at or before `time` (-1: none). */
  private lastAtOrBefore(posting: PostingList, time: number): number {
    const { slots } = posting;
    let lo = 0;
    let hi = posting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[slots[mid]!]! <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private link(index: Map<string, Posting>, key: string, slot: number): void {
    const posting = index.get(key);
    if (posting === undefined) index.set(key, slot);
    else if (typeof posting === 'number') index.set(key, this.at[posting]! <= this.at[slot]! ? new PostingList(posting, slot) : new PostingList(slot, posting));
    // Live items are mostly the newest: an append. A backlog arriving out of order is put in its place.
    else posting.insert(this.at[posting.slots[posting.length - 1]!]! <= this.at[slot]! ? posting.length : this.lastAtOrBefore(posting, this.at[slot]!) + 1, slot);
  }
}

function grown<T extends Float64Array | Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Drops the postings of slots no longer alive. */
function sweepPostings(index: Map<string, Posting>, alive: Uint8Array): void {
  for (const [key, posting] of index) {
    if (typeof posting === 'number') {
      if (!alive[posting]) index.delete(key);
      continue;
    }
    const { slots } = posting;
    let kept = 0;
    for (let i = 0; i < posting.length; i++) if (alive[slots[i]!]) slots[kept++] = slots[i]!;
    posting.length = kept;
    if (kept === 0) index.delete(key);
    else if (kept === 1) index.set(key, slots[0]!);
    else if (kept < slots.length / 4) posting.slots = slots.slice(0, Math.max(4, kept * 2));
  }
}
