/**
 * AG News (World, Sports, Business, Sci/Tech; 5,000 train, 1,000 dev, 1,000 test items of 2004) read from a
 * bare git mirror of github:lst11111/bert-text-classification (data/ag_news/{train,dev,test}.csv at HEAD):
 * what scripts/train-topics.ts learns from and scripts/eval-topics.ts measures on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import type { ClassifierClass } from '../src/dedup/topic-classifier.js';

/** Where the mirror is on the machine newsmerge is developed on. */
export const DEFAULT_AG_NEWS = '/work/.mirror/lst11111+bert-text-classification/repo';

/** The classes in the order of the files' labels 0-3 (data/ag_news/class.txt). */
export const AG_CLASSES: readonly ClassifierClass[] = ['world', 'sports', 'business', 'tech'];

/** One labeled item: the file's text (headline and description run together), cleaned. */
export interface AgItem {
  text: string;
  label: ClassifierClass;
}

/**
 * AG News carries HTML-entity debris ("Haiti #39;s", "quot;", "&lt;b&gt;"), agency credits ("(Reuters)
 * Reuters - ") and ticker links: left in, they would be features no feed ever writes (the same cleaning as
 * scripts/build-reference-terms.ts).
 */
export function cleanAgNews(text: string): string {
  return text
    .replace(/&lt;.*?&gt;/g, ' ')
    .replace(/\s?#39;/g, "'")
    .replace(/#14[5-6];/g, "'")
    .replace(/#36;/g, '$')
    .replace(/quot;/g, '"')
    .replace(/&amp;|(?<=\s)amp;/g, '&')
    .replace(/\([^()]*:\s*Quote, Profile, Research\)/g, ' ')
    .replace(/\\\$/g, '$')
    .replace(/#\d+;/g, ' ')
    .replace(/\((?:Reuters|AP|AFP|CP|SPACE\.com|Canadian Press)\)/g, ' ')
    .replace(/\b(?:Reuters|AP|AFP|AFP\.com)\s+-\s+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Reads one split of the mirror; null when the mirror is missing. */
export function readAgSplit(gitDir: string, split: 'train' | 'dev' | 'test'): AgItem[] | null {
  if (!existsSync(gitDir)) return null;
  const csv = execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:data/ag_news/${split}.csv`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const items: AgItem[] = [];
  for (const line of csv.split('\n')) {
    const m = /^(?:"((?:[^"]|"")*)"|([^"].*)),(\d)\s*$/.exec(line);
    if (!m) continue;
    const text = cleanAgNews((m[1] ?? m[2]!).replaceAll('""', '"'));
    const label = AG_CLASSES[Number(m[3])];
    if (text && label) items.push({ text, label });
  }
  return items;
}

/**
 * An item as an outlet would write it: AG News runs headline and description together, so the headline is
 * cut at the first sentence-like break within 100 characters (or at a word near it), the rest is the summary.
 */
export function asFeedItem(text: string): { title: string; summary: string } {
  if (text.length <= 100) return { title: text, summary: '' };
  const cut = text.lastIndexOf(' ', 90);
  return { title: text.slice(0, cut > 30 ? cut : 90), summary: text.slice(cut > 30 ? cut + 1 : 90) };
}

/**
 * More AG News training items, from the original dataset's train split (120,000 items of which these mirrors
 * carry two samples), each a bare git mirror:
 * - github:yxhong-tw/AG-News-Exercise `data/formal/validation.csv`: 12,000 items the repository held out of
 *   the original train split; its `data/formal/test.csv` is the original test split (7,600 items), read only
 *   to leave its items out;
 * - github:jatin-12-2002/AG_News_Classification `data/archive.zip` → `train.csv`: a 20,000-item sample.
 * Both files are "Class Index,Title,Description" with labels 1-4 (World, Sports, Business, Sci/Tech).
 */
export const DEFAULT_AG_NEWS_EXTRA = {
  heldOut: '/work/.mirror/yxhong-tw+AG-News-Exercise/repo',
  sample: '/work/.mirror/jatin-12-2002+AG_News_Classification/repo',
};

function gitShow(gitDir: string, path: string): Buffer {
  return execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${path}`], { maxBuffer: 256 << 20 });
}

/** One stored or deflated entry of a zip archive, found through its central directory. */
function zipEntry(zip: Buffer, name: string): Buffer | null {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) return null;
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    if (entryName === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return method === 0 ? data : inflateRawSync(data);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return null;
}

/** cleanAgNews for a copy of the original files, which write "\\" for a line break (lst11111's copy is cleaned as it was). */
function cleanCopied(text: string): string {
  return cleanAgNews(text.replace(/\\(?!\$)/g, ' '));
}

/** Rows of a "Class Index,Title,Description" file (RFC 4180 quoting; the original AG News writes "\\" for a line break). */
export function parseAgCsv(csv: string): AgItem[] {
  const items: AgItem[] = [];
  const field = String.raw`(?:"((?:[^"]|"")*)"|([^",\n]*))`;
  const row = new RegExp(String.raw`^"?([1-4])"?,${field},${field}\r?$`, 'gm');
  for (const m of csv.matchAll(row)) {
    const title = (m[2] ?? m[3] ?? '').replaceAll('""', '"');
    const description = (m[4] ?? m[5] ?? '').replaceAll('""', '"');
    const text = cleanCopied(`${title} ${description}`);
    const label = AG_CLASSES[Number(m[1]) - 1];
    if (text && label) items.push({ text, label });
  }
  return items;
}

/** The extra training items of DEFAULT_AG_NEWS_EXTRA's mirrors and the original test split's items (to leave out); null when a mirror is missing. */
export function readAgExtra(mirrors: { heldOut: string; sample: string }): { train: AgItem[]; originalTest: AgItem[] } | null {
  if (!existsSync(mirrors.heldOut) || !existsSync(mirrors.sample)) return null;
  const heldOut = parseAgCsv(gitShow(mirrors.heldOut, 'data/formal/validation.csv').toString('utf8'));
  const originalTest = parseAgCsv(gitShow(mirrors.heldOut, 'data/formal/test.csv').toString('utf8'));
  const zipped = zipEntry(gitShow(mirrors.sample, 'data/archive.zip'), 'train.csv');
  if (!zipped) return null;
  return { train: [...heldOut, ...parseAgCsv(zipped.toString('utf8'))], originalTest };
}

/**
 * Still more items of the original AG News train split, from three more bare git mirrors (each a sample):
 * - github:zy199529/textCNN_AG_news `data/ag_news_train.txt`: 12,000 items, "label<TAB>text" (labels 1-4;
 *   headline and description run together without a break);
 * - github:hhf-hd/NoisyAG-News `dataset/samples10000valMed.csv`: 10,000 items, "label,gt,text,group" where
 *   `gt` is the original label (0-3) and `label` a noisy relabeling (not used);
 * - github:amrayach/PML `datasets/ag_news/train.csv`: the first 2,000 items of the original file.
 */
export const DEFAULT_AG_NEWS_MORE = {
  textCnn: '/work/.mirror/zy199529+textCNN_AG_news/repo/.git',
  noisy: '/work/.mirror/hhf-hd+NoisyAG-News/repo',
  pml: '/work/.mirror/amrayach+PML/repo',
};

/** The items of DEFAULT_AG_NEWS_MORE's mirrors; null when one is missing. */
export function readAgMore(mirrors: typeof DEFAULT_AG_NEWS_MORE): AgItem[] | null {
  if (!Object.values(mirrors).every((dir) => existsSync(dir))) return null;
  const items: AgItem[] = [];
  for (const line of gitShow(mirrors.textCnn, 'data/ag_news_train.txt').toString('utf8').split('\n')) {
    const m = /^([1-4])\t"?(.*?)"?\r?$/.exec(line);
    const text = m ? cleanCopied(m[2]!) : '';
    if (text) items.push({ text, label: AG_CLASSES[Number(m![1]) - 1]! });
  }
  const noisy = gitShow(mirrors.noisy, 'dataset/samples10000valMed.csv').toString('utf8');
  for (const m of noisy.matchAll(/^\d,([0-3]),(?:"((?:[^"]|"")*)"|([^"\n]*)),\d*\r?$/gm)) {
    const text = cleanCopied((m[2] ?? m[3]!).replaceAll('""', '"').replace(/ \. /, ' '));
    if (text) items.push({ text, label: AG_CLASSES[Number(m[1])]! });
  }
  items.push(...parseAgCsv(gitShow(mirrors.pml, 'datasets/ag_news/train.csv').toString('utf8')));
  return items;
}

/**
 * Description-only AG News items (no headline, tokenized: "Iraq s government , yesterday ."), of the original
 * train split: github:KEAML-JLU/DeepTextClustering `data/ag_news/train.csv` (4,000) and `ub_train.csv` (5,000),
 * "label,text" with labels 0-3. Its `test.csv` is of the original test split and is never read.
 */
export const DEFAULT_AG_NEWS_LEDES = '/work/.mirror/KEAML-JLU+DeepTextClustering/repo/.git';

/** The tokenized text as written: punctuation back on its word, "Iraq s" as "Iraq's". */
function detokenized(text: string): string {
  return text
    .replace(/ ([,.;:!?%)\]])/g, '$1')
    .replace(/([(\[$]) /g, '$1')
    .replace(/(\w) (s|t|re|ve|ll|d) (?=\w)/g, "$1'$2 ");
}

/** The items of DEFAULT_AG_NEWS_LEDES' mirror; null when it is missing. */
export function readAgLedes(gitDir: string): AgItem[] | null {
  if (!existsSync(gitDir)) return null;
  const items: AgItem[] = [];
  for (const file of ['train', 'ub_train']) {
    const csv = gitShow(gitDir, `data/ag_news/${file}.csv`).toString('utf8');
    for (const m of csv.matchAll(/^([0-3]),(?:"((?:[^"]|"")*)"|([^"\n]*))\r?$/gm)) {
      const text = cleanCopied(detokenized((m[2] ?? m[3]!).replaceAll('""', '"')));
      if (text) items.push({ text, label: AG_CLASSES[Number(m[1])]! });
    }
  }
  return items;
}

/** Letters and digits only, lowercased: what two copies of an item share however they were quoted or cleaned. */
const bare = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Keys by which an item is recognised in another copy of AG News: its first and last 40 letters and digits (the
 * headline's start, the description's end). Two wire versions of one story that share either count as one.
 */
export function itemKeys(text: string): string[] {
  const b = bare(text);
  return b.length < 40 ? [b] : [`^${b.slice(0, 40)}`, `$${b.slice(-40)}`];
}

/** `items` without those that share a key with `excluded` or with an earlier item of `items` (first copy kept). */
export function withoutOverlap(items: readonly AgItem[], excluded: readonly AgItem[]): AgItem[] {
  const seen = new Set(excluded.flatMap((i) => itemKeys(i.text)));
  const out: AgItem[] = [];
  for (const item of items) {
    const keys = itemKeys(item.text);
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    out.push(item);
  }
  return out;
}

/** The UCI News Aggregator sample: headlines of 2014 with category b (business), t (sci/tech), e, m. */
export const DEFAULT_UCI = join(import.meta.dirname, '../../shared/data/stories/uci_news_aggregator_sample.jsonl');

/** Its business and sci/tech headlines as training items (entertainment and health have no class here); null when the file is missing. */
export function readUciHeadlines(path: string): AgItem[] | null {
  if (!existsSync(path)) return null;
  const out: AgItem[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { title?: string; category?: string };
    const label = row.category === 'b' ? 'business' : row.category === 't' ? 'tech' : null;
    const text = (row.title ?? '').replace(/\s+/g, ' ').trim();
    if (label && text) out.push({ text, label });
  }
  return out;
}

/**
 * `items` without those whose opening 40 letters and digits occur anywhere in an item of `excluded`: a
 * description-only copy shares neither end key (itemKeys) with the full item it was cut from.
 */
export function notQuotedIn(items: readonly AgItem[], excluded: readonly AgItem[]): AgItem[] {
  const text = excluded.map((i) => bare(i.text)).join('|');
  return items.filter((i) => !text.includes(bare(i.text).slice(0, 40)));
}
