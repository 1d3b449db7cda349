/**
 * AG News (World, Sports, Business, Sci/Tech; 5,000 train, 1,000 dev, 1,000 test items of 2004) read from a
 * bare git mirror of github:lst11111/bert-text-classification (data/ag_news/{train,dev,test}.csv at HEAD):
 * what scripts/train-topics.ts learns from and scripts/eval-topics.ts measures on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
