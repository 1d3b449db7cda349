/**
 * Training examples from a curator's corrections (`npm run corrections:export`): each pair's features as the
 * ingest path computes them, with document frequencies counted over the exported items themselves.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PAIR_MODEL } from '../src/dedup/default-pair-model.js';
import { profileItem, profileTerms } from '../src/dedup/item-profile.js';
import { LexicalSimilarity, type ComparedItem } from '../src/dedup/similarity.js';
import { TermStatistics } from '../src/dedup/term-statistics.js';
import type { Example } from './fit-boosted-trees.js';

const pairItem = z.object({ id: z.number(), outlet: z.string(), title: z.string(), summary: z.string(), published: z.iso.datetime() });
const pairLine = z.object({ label: z.union([z.literal(0), z.literal(1)]), a: pairItem, b: pairItem });

/** Reads an exported corrections file; a line that is not a pair stops with its line number. */
export function correctionExamples(file: string): Example[] {
  const pairs = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      try {
        return pairLine.parse(JSON.parse(line));
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not a corrections:export pair (${(err as Error).message.split('\n')[0]})`);
      }
    });
  const compared = new Map<number, ComparedItem>();
  for (const p of pairs) {
    for (const item of [p.a, p.b]) {
      if (!compared.has(item.id)) compared.set(item.id, { profile: profileItem(item.title, item.summary), publishedAt: Date.parse(item.published), outlet: item.outlet });
    }
  }
  const terms = new TermStatistics(0, [...compared.values()].map((c) => profileTerms(c.profile)));
  const lexical = new LexicalSimilarity(DEFAULT_PAIR_MODEL);
  return pairs.map((p) => ({ features: lexical.features(compared.get(p.a.id)!, [compared.get(p.b.id)!], terms)[0]!, label: p.label }));
}
