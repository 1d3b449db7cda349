/**
 * Derives the reference term statistics newsmerge ships (src/dedup/reference-terms.json): in how many
 * documents of a news corpus each term occurs, terms made exactly as the engine makes them (profileItem,
 * then profileTerms: what the cluster index counts). Only counts are written, never text.
 *
 *   npx tsx scripts/build-reference-terms.ts [--ag-news GIT_DIR] [--uci FILE.jsonl] [--allsides FILE.jsonl]
 *                                           [--min-df 2] [--max-terms 30000] [--out PATH]
 *
 * Sources:
 * - AG News (world, sports, business, tech; headline and description, 7,000 items of 2004): read from a bare
 *   git mirror of github:lst11111/bert-text-classification (data/ag_news/{train,dev,test}.csv at HEAD).
 * - The UCI News Aggregator sample (4,996 headlines of 2014, ../shared/data/stories).
 * - The AllSides triplets (headline + lede) are NOT used unless --allsides names them: they are the file the
 *   pair model is trained and evaluated on, and a reference counted over them would know the evaluated
 *   events' words in advance (see README, "Cold start").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitWithUsage, parseCommandLine, positiveIntOption } from '../src/cli/cli-args.js';
import { DEFAULT_AG_NEWS, readAgSplit } from './ag-news.js';
import { profileItem, profileTerms } from '../src/dedup/item-profile.js';

const SHARED = join(import.meta.dirname, '../../shared/data/stories');
const COMMAND = {
  name: 'newsmerge build:reference-terms',
  usage: 'Usage: npm run build:reference-terms -- [--ag-news GIT_DIR] [--uci FILE.jsonl] [--allsides FILE.jsonl] [--min-df 2] [--max-terms 30000] [--out PATH]',
  description: 'Counts in how many news items each term occurs (AG News from a bare git mirror, the UCI headlines) and writes src/dedup/reference-terms.json.',
};
const { values } = parseCommandLine(
  COMMAND,
  {
    'ag-news': { type: 'string', default: DEFAULT_AG_NEWS },
    uci: { type: 'string', default: join(SHARED, 'uci_news_aggregator_sample.jsonl') },
    allsides: { type: 'string' },
    'min-df': { type: 'string', default: '2' },
    'max-terms': { type: 'string', default: '30000' },
    out: { type: 'string', default: join(import.meta.dirname, '../src/dedup/reference-terms.json') },
  },
  { maxPositionals: 0 },
);

/** One document of a source: what an outlet's feed would give as headline and summary. */
interface Document {
  title: string;
  summary: string;
}

function readAgNews(gitDir: string): Document[] {
  const items = [...['train', 'dev', 'test'] as const].flatMap((split) => readAgSplit(gitDir, split) ?? exitWithUsage(COMMAND, `no AG News mirror at ${gitDir} (fetch github:lst11111/bert-text-classification as a bare git mirror, pass --ag-news GIT_DIR)`));
  // Headline and description run together in these files: all of it is the summary, cut to a lede as feeds' are.
  return items.map((item) => ({ title: '', summary: item.text }));
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|quot|apos|lt|gt|#\d+);/g, (_, name: string) =>
    name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : ({ amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' } as Record<string, string>)[name]!,
  );
}

function readJsonLines(file: string): Document[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const row = JSON.parse(line) as { title?: unknown; summary?: unknown };
      // Feeds reach the engine with entities decoded; a few lines of these files still carry them.
      return { title: decodeEntities(String(row.title ?? '')), summary: decodeEntities(String(row.summary ?? '')) };
    });
}

const sources: Array<{ name: string; docs: Document[] }> = [
  { name: 'ag_news (lst11111/bert-text-classification data/ag_news train+dev+test)', docs: readAgNews(values['ag-news']!) },
  { name: 'uci_news_aggregator_sample.jsonl (headlines)', docs: readJsonLines(values.uci!) },
];
if (values.allsides) sources.push({ name: 'allsides_neus_triplets_sample.jsonl (headline + lede)', docs: readJsonLines(values.allsides) });

const df = new Map<string, number>();
let documents = 0;
for (const { docs } of sources) {
  for (const doc of docs) {
    const terms = profileTerms(profileItem(doc.title, doc.summary));
    // An item with no terms is never indexed by the engine, so it is no document here either.
    if (terms.length === 0) continue;
    documents++;
    for (const term of terms) df.set(term, (df.get(term) ?? 0) + 1);
  }
}

const minDf = positiveIntOption(COMMAND, 'min-df', values['min-df']!);
const kept = [...df]
  .filter(([, n]) => n >= minDf)
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  .slice(0, positiveIntOption(COMMAND, 'max-terms', values['max-terms']!));
const reference = {
  description: 'Document frequencies of newsmerge terms (profileTerms of profileItem) over news corpora; counts only. Built by scripts/build-reference-terms.ts.',
  sources: sources.map((s) => ({ name: s.name, items: s.docs.length })),
  minDf,
  documents,
  df: Object.fromEntries(kept),
};
writeFileSync(values.out!, `${JSON.stringify(reference)}\n`);
const bytes = Buffer.byteLength(JSON.stringify(reference));
console.log(`${documents} documents, ${df.size} distinct terms, ${kept.length} kept (df >= ${minDf}); wrote ${values.out} (${Math.round(bytes / 1024)} KB)`);
