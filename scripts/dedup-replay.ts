/**
 * Shared by eval-dedup, train-dedup and baseline-dedup: reading labeled story files, replaying them
 * through the real ingest path (storeEntries on a temporary SQLite database, then the periodic merge),
 * and scoring clusterings pairwise and with B-cubed.
 */
import type { ReferenceTerms } from '../src/dedup/term-statistics.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describeFileError, exitWithUsage, type CommandUsage } from '../src/cli/cli-args.js';
import { configSchema, type DedupConfig } from '../src/config/config-schema.js';
import { formatIssues } from '../src/config/load-config.js';
import type { EventSimilarity } from '../src/dedup/similarity.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import type { Entry } from '../src/cluster/entry.js';
import { mergeConvergedStories } from '../src/cluster/merge-stories.js';
import { storeEntries, type FeedEntries } from '../src/cluster/store-entries.js';
import { openStore } from '../src/store/store.js';

/** One line of a labeled file; `cluster` is only ever read by scoring. */
export interface LabeledItem {
  id: string;
  cluster: string;
  source: string;
  title: string;
  summary: string;
  url: string | null;
  /** Milliseconds; items without a date get file order. */
  published: number;
}

/** A labeled file that cannot be used (missing, unreadable, not JSON Lines); the message is one line. */
export class LabeledFileError extends Error {
  override name = 'LabeledFileError';
}

function parseLabeledLine(file: string, line: string, lineNumber: number): Record<string, unknown> {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new LabeledFileError(`${file} is not JSON Lines: line ${lineNumber} is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new LabeledFileError(`${file} is not JSON Lines of labeled items: line ${lineNumber} is not a JSON object`);
  return row as Record<string, unknown>;
}

/**
 * Reads a JSON Lines file of labeled items (extra fields ignored); undated items keep file order. Throws
 * LabeledFileError when the file cannot be read, is not JSON Lines or holds no item.
 */
export function readLabeled(file: string): LabeledItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LabeledFileError(`cannot read ${file}: ${describeFileError(err)}`);
  }
  const lines = text
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter((l) => l.line.trim());
  if (lines.length === 0) throw new LabeledFileError(`${file} holds no labeled items (one JSON object a line)`);
  let last = Date.parse('2000-01-01T00:00:00Z');
  return lines.map(({ line, number }, i) => {
    const row = parseLabeledLine(file, line, number);
    const parsed = typeof row.published === 'string' ? Date.parse(row.published) : typeof row.published === 'number' ? row.published : NaN;
    const published = Number.isFinite(parsed) ? parsed : last + 1_000;
    last = published;
    return {
      id: String(row.id ?? `line-${i + 1}`),
      cluster: String(row.cluster ?? `line-${i + 1}`),
      source: String(row.source ?? row.source_domain ?? 'unknown outlet'),
      title: String(row.title ?? ''),
      summary: String(row.summary ?? ''),
      url: typeof row.url === 'string' ? row.url : null,
      published,
    };
  });
}

/** readLabeled for a command line: a file it cannot use is a usage error (one line and the usage, exit 2). */
export function readLabeledOrExit(command: CommandUsage, file: string): LabeledItem[] {
  try {
    return readLabeled(file);
  } catch (err) {
    if (err instanceof LabeledFileError) exitWithUsage(command, err.message);
    throw err;
  }
}

/** The JSON value of a command-line option, or a usage error naming the option. */
export function jsonOption(command: CommandUsage, name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    exitWithUsage(command, `--${name} takes a JSON object, e.g. --${name} '{"joinThreshold":0.7}', not ${raw.slice(0, 60)}`);
  }
}

/** The shipped dedup settings with a --dedup JSON object's overrides; a bad key or value is a usage error. */
export function parseDedupOption(command: CommandUsage, raw: string): DedupConfig {
  const result = configSchema.safeParse({ schedule: '*/5 * * * *', topics: { t: { title: 't' } }, feeds: [], dedup: jsonOption(command, 'dedup', raw) });
  if (!result.success) exitWithUsage(command, `--dedup: ${formatIssues(result.error.issues).trim().replace(/\n\s*/g, '; ')}`);
  return result.data.dedup;
}

/** Repeats a data set `times`, each copy shifted after the previous one (ids and clusters kept apart). */
export function repeatShifted(items: readonly LabeledItem[], times: number, gapMs: number): LabeledItem[] {
  if (times <= 1) return [...items];
  const first = Math.min(...items.map((i) => i.published));
  const last = Math.max(...items.map((i) => i.published));
  const shift = last - first + gapMs;
  const out: LabeledItem[] = [];
  for (let copy = 0; copy < times; copy++) {
    for (const item of items) {
      out.push({ ...item, id: `${item.id}~${copy}`, cluster: `${item.cluster}~${copy}`, url: item.url ? `${item.url}${item.url.includes('?') ? '&' : '?'}copy=${copy}` : null, published: item.published + copy * shift });
    }
  }
  return out;
}

/** How items reach storeEntries: in published order in poll cycles, or outlet by outlet as a first poll brings them. */
export type ReplayOrder = 'published' | 'feeds';

/** How a replay runs. */
export interface ReplayOptions {
  order: ReplayOrder;
  dedup: DedupConfig;
  similarity?: EventSimilarity;
  /** Reference term counts for IDFs (default: the shipped ones; null: the install's own counts only). */
  reference?: ReferenceTerms | null;
  /** Published-order replay: the span of published time one poll cycle brings. */
  cycleMs?: number;
  /** Feeds-order replay: how many outlets' backlogs are written in one batch. */
  feedsPerBatch?: number;
}

/** What a replay produced: the story of every item, how long ingest took, and memory as it went. */
export interface ReplayResult {
  storyOf: Map<string, number>;
  /** Related coverage: pairs of stories linked as likely the same event, each pair once. */
  related: Array<[number, number]>;
  seconds: number;
  merged: number;
  /** Resident memory (MB) after each 10,000 items stored. */
  rssMbAt: Record<number, number>;
  /**
   * Live JS heap (MB, after a full collection, not timed) after each 10,000 items stored: what shows that
   * memory stays flat as the window slides (RSS also holds garbage not yet collected and SQLite's cache).
   */
  liveHeapMbAt: Record<number, number>;
}

let gc: (() => void) | null = null;

/** A full garbage collection, without starting node with --expose-gc. */
function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

function entryOf(item: LabeledItem): Entry {
  return { guid: item.id, link: item.url, title: item.title, summary: item.summary, content: null, author: null, published: item.published, updated: null, categories: [], enclosure: null, image: null };
}

function feedUrl(source: string): string {
  return `https://eval.invalid/${encodeURIComponent(source)}`;
}

/**
 * Replays items through storeEntries on a fresh database in a temp directory (one feed per source), with
 * the periodic merge after each poll cycle, and reads back each item's story.
 */
export function replay(items: readonly LabeledItem[], options: ReplayOptions): ReplayResult {
  const dir = mkdtempSync(join(tmpdir(), 'newsmerge-eval-'));
  const store = openStore(dir);
  const engine = new ClusterEngine(store, options.dedup.window);
  try {
    const sources = [...new Set(items.map((i) => i.source))];
    store.feeds.sync(sources.map((s) => ({ url: feedUrl(s), outlet: s })), 0);
    const feedIds = new Map(store.feeds.all().map((f) => [f.outlet, f.id]));
    const batches = options.order === 'feeds' ? feedBatches(items, sources, options.feedsPerBatch ?? 1) : cycleBatches(items, options.cycleMs ?? 60 * 60_000);
    const started = process.hrtime.bigint();
    let merged = 0;
    let stored = 0;
    const rssMbAt: Record<number, number> = {};
    const liveHeapMbAt: Record<number, number> = {};
    let untimed = 0n;
    for (const { groups, at, mergeAfter } of batches) {
      const batch: FeedEntries[] = [...groups].map(([source, list]) => ({ feedId: feedIds.get(source)!, entries: list.map(entryOf), fetchedAt: at, guidMode: 'guid' }));
      engine.write(() => storeEntries(engine, batch, options.dedup, at, { similarity: options.similarity, reference: options.reference }));
      if (mergeAfter) {
        for (let pass = { merged: 0, done: false }; !pass.done; merged += pass.merged) pass = mergeConvergedStories(engine, options.dedup, at, { similarity: options.similarity, reference: options.reference });
      }
      const before = stored;
      stored += batch.reduce((n, b) => n + b.entries.length, 0);
      if (Math.floor(stored / 10_000) > Math.floor(before / 10_000)) {
        const checkpoint = Math.floor(stored / 10_000) * 10_000;
        rssMbAt[checkpoint] = Math.round(process.memoryUsage().rss / 2 ** 20);
        const pause = process.hrtime.bigint();
        collectGarbage();
        liveHeapMbAt[checkpoint] = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
        untimed += process.hrtime.bigint() - pause;
      }
    }
    const seconds = Number(process.hrtime.bigint() - started - untimed) / 1e9;
    const byKey = new Map(store.clustering.entryStories().map((e) => [`${e.feedId}\u0000${e.entryKey}`, e.storyId]));
    const storyOf = new Map<string, number>();
    for (const item of items) {
      const story = byKey.get(`${feedIds.get(item.source)}\u0000g:${item.id}`);
      if (story !== undefined) storyOf.set(item.id, story);
    }
    const stories = [...new Set(storyOf.values())];
    const related: Array<[number, number]> = [];
    for (const [id, links] of store.links.relatedTo(stories)) for (const r of links) if (id < r.relatedId) related.push([id, r.relatedId]);
    return { storyOf, related, seconds, merged, rssMbAt, liveHeapMbAt };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Batch {
  groups: Map<string, LabeledItem[]>;
  at: number;
  mergeAfter: boolean;
}

function grouped(items: readonly LabeledItem[]): Map<string, LabeledItem[]> {
  const groups = new Map<string, LabeledItem[]>();
  for (const item of items) {
    const list = groups.get(item.source);
    if (list) list.push(item);
    else groups.set(item.source, [item]);
  }
  return groups;
}

/** Poll cycles of `cycleMs` of published time; each ends with the periodic merge. */
function cycleBatches(items: readonly LabeledItem[], cycleMs: number): Batch[] {
  const sorted = [...items].sort((a, b) => a.published - b.published);
  const batches: Batch[] = [];
  let start = 0;
  while (start < sorted.length) {
    const cycleEnd = Math.floor(sorted[start]!.published / cycleMs) * cycleMs + cycleMs;
    let end = start;
    while (end < sorted.length && sorted[end]!.published < cycleEnd) end++;
    batches.push({ groups: grouped(sorted.slice(start, end)), at: cycleEnd, mergeAfter: true });
    start = end;
  }
  return batches;
}

/** A first poll: each outlet's whole backlog, newest first as feeds list them, a few outlets per batch; one merge at the end. */
function feedBatches(items: readonly LabeledItem[], sources: readonly string[], perBatch: number): Batch[] {
  const at = Math.max(...items.map((i) => i.published)) + 60_000;
  const bySource = grouped([...items].sort((a, b) => b.published - a.published));
  const batches: Batch[] = [];
  for (let i = 0; i < sources.length; i += perBatch) {
    const groups = new Map(sources.slice(i, i + perBatch).map((s) => [s, bySource.get(s) ?? []] as const));
    batches.push({ groups, at, mergeAfter: i + perBatch >= sources.length });
  }
  return batches;
}

/** Pairwise and B-cubed precision, recall and F1 of a clustering. */
export interface Scores {
  items: number;
  pairwise: { precision: number; recall: number; f1: number };
  bcubed: { precision: number; recall: number; f1: number };
  /** Raw pair counts, so that cross-validation folds can be added up. */
  pairs: { truePositive: number; predicted: number; actual: number };
}

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

const choose2 = (n: number) => (n * (n - 1)) / 2;

/**
 * Scores predicted stories against labeled clusters. With `scored` (a cross-validation fold of whole
 * stories), only pairs touching a scored item count: a test item wrongly joined to a training item is a
 * false positive, counted half (the other half belongs to the training item's fold), and B-cubed averages
 * over scored items.
 */
export function score(items: readonly LabeledItem[], storyOf: ReadonlyMap<string, number | string>, scored?: ReadonlySet<string>): Scores {
  const isScored = (id: string) => !scored || scored.has(id);
  const predicted = new Map<string, LabeledItem[]>();
  const actual = new Map<string, LabeledItem[]>();
  for (const item of items) {
    const story = `${storyOf.get(item.id) ?? `alone:${item.id}`}`;
    (predicted.get(story) ?? predicted.set(story, []).get(story)!).push(item);
    (actual.get(item.cluster) ?? actual.set(item.cluster, []).get(item.cluster)!).push(item);
  }
  let truePositive = 0;
  let predictedPairs = 0;
  let actualPairs = 0;
  let bp = 0;
  let br = 0;
  let n = 0;
  for (const members of predicted.values()) {
    const inScope = members.filter((m) => isScored(m.id)).length;
    // A pair with one scored item counts half: summed over cross-validation folds, every pair counts once.
    predictedPairs += choose2(inScope) + (inScope * (members.length - inScope)) / 2;
    const cells = new Map<string, number>();
    for (const m of members) cells.set(m.cluster, (cells.get(m.cluster) ?? 0) + 1);
    for (const m of members) {
      if (!isScored(m.id)) continue;
      const together = cells.get(m.cluster)!;
      bp += together / members.length;
      br += together / actual.get(m.cluster)!.length;
      n++;
    }
    for (const [cluster, count] of cells) if (isScored(actual.get(cluster)![0]!.id)) truePositive += choose2(count);
  }
  for (const members of actual.values()) if (isScored(members[0]!.id)) actualPairs += choose2(members.length);
  const precision = predictedPairs === 0 ? 1 : truePositive / predictedPairs;
  const recall = actualPairs === 0 ? 1 : truePositive / actualPairs;
  const bPrecision = n === 0 ? 1 : bp / n;
  const bRecall = n === 0 ? 1 : br / n;
  return {
    items: n,
    pairwise: { precision, recall, f1: f1(precision, recall) },
    bcubed: { precision: bPrecision, recall: bRecall, f1: f1(bPrecision, bRecall) },
    pairs: { truePositive, predicted: predictedPairs, actual: actualPairs },
  };
}

/** How much of each event reaches a reader through merges and related links. */
export interface Coverage {
  /** Same-event item pairs merged into one story or in two directly related stories, over all same-event pairs. */
  recall: number;
  /** Related links whose two stories are mostly about the same labeled event, over all links (1 with none). */
  relatedPrecision: number;
  /** Related links (story pairs). */
  links: number;
}

/** Scores related coverage against labeled clusters, beside the merges `score` measures. */
export function coverage(items: readonly LabeledItem[], storyOf: ReadonlyMap<string, number>, related: ReadonlyArray<readonly [number, number]>): Coverage {
  const linked = new Set(related.flatMap(([a, b]) => [`${a}:${b}`, `${b}:${a}`]));
  const members = new Map<number, LabeledItem[]>();
  for (const item of items) {
    const story = storyOf.get(item.id);
    if (story !== undefined) (members.get(story) ?? members.set(story, []).get(story)!).push(item);
  }
  const byCluster = new Map<string, LabeledItem[]>();
  for (const item of items) (byCluster.get(item.cluster) ?? byCluster.set(item.cluster, []).get(item.cluster)!).push(item);
  let samePairs = 0;
  let reached = 0;
  for (const list of byCluster.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        samePairs++;
        const a = storyOf.get(list[i]!.id);
        const b = storyOf.get(list[j]!.id);
        if (a !== undefined && b !== undefined && (a === b || linked.has(`${a}:${b}`))) reached++;
      }
    }
  }
  // A link is right when the two stories are mostly about the same labeled event.
  const dominant = (story: number) => {
    const counts = new Map<string, number>();
    for (const m of members.get(story) ?? []) counts.set(m.cluster, (counts.get(m.cluster) ?? 0) + 1);
    return [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]?.[0];
  };
  const right = related.filter(([a, b]) => dominant(a) !== undefined && dominant(a) === dominant(b)).length;
  return { recall: samePairs === 0 ? 1 : reached / samePairs, relatedPrecision: related.length === 0 ? 1 : right / related.length, links: related.length };
}
