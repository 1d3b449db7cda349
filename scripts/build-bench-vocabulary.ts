/**
 * `npx tsx scripts/build-bench-vocabulary.ts [FILE.jsonl ...]`: counts the words of labeled news files
 * (default: the tuning files in ../shared/data/stories) and writes bench/news-vocabulary.json, the words
 * with their counts, most frequent first. bench:poll draws its news-like text from these frequencies; only
 * counts are kept, never a sentence of the source text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const WORD = /[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z0-9]/g;
const DEFAULT_FILES = ['allsides_neus_triplets_sample.jsonl', 'uci_news_aggregator_sample.jsonl'].map((f) => resolve(import.meta.dirname, '../../shared/data/stories', f));

const files = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_FILES;
const counts = new Map<string, number>();
for (const file of files) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { title, summary } = JSON.parse(line) as { title?: string; summary?: string };
    for (const word of `${title ?? ''} ${summary ?? ''}`.match(WORD) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
}
const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
const out = resolve(import.meta.dirname, '../bench/news-vocabulary.json');
writeFileSync(out, `${JSON.stringify({ source: 'word counts of the tuning files in shared/data/stories', words: sorted.map(([w]) => w), counts: sorted.map(([, c]) => c) })}\n`);
process.stdout.write(`${sorted.length} words, ${sorted.reduce((n, [, c]) => n + c, 0)} occurrences -> ${out}\n`);
