import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/config-schema.js';
import { coverage, readLabeled, replay, score } from '../scripts/dedup-replay.js';
import { BACKGROUND, SAME_COUNTRY_OTHER_EVENTS, SEED_STORY } from './fixtures/dedup/seed-story.js';

const dir = mkdtempSync(join(tmpdir(), 'newsmerge-eval-test-'));
const file = join(dir, 'labeled.jsonl');
// A small labeled file: the seed event in three outlets (one cluster), every other item alone. Extra fields
// and a missing date must be accepted; `cluster` must not steer the clustering.
const lines = [
  ...SEED_STORY.map((item, i) => ({ id: `seed-${i}`, cluster: 'seed', source: item.outlet, title: item.title, summary: item.summary, url: item.link, published: item.published, note: 'extra field' })),
  ...[...SAME_COUNTRY_OTHER_EVENTS, ...BACKGROUND].map((item, i) => ({ id: `other-${i}`, cluster: `other-${i}`, source: item.outlet, title: item.title, summary: item.summary, url: item.link, published: i === 0 ? null : item.published })),
];
writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval:dedup', () => {
  const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { t: { title: 't' } }, feeds: [] }).dedup;

  it('replays a labeled file through storeEntries in both orders and scores it', () => {
    const items = readLabeled(file);
    expect(items).toHaveLength(lines.length);
    for (const order of ['published', 'feeds'] as const) {
      const { storyOf } = replay(items, { order, dedup });
      const scores = score(items, storyOf);
      expect(scores.pairwise).toEqual({ precision: 1, recall: 1, f1: 1 });
      expect(scores.bcubed.f1).toBe(1);
    }
  });

  it('scores pairwise and B-cubed by the book, and counts a fold\'s cross pairs half', () => {
    const items = ['a1', 'a2', 'a3', 'b1', 'b2'].map((id) => ({ id, cluster: id[0]!, source: 's', title: '', summary: '', url: null, published: 0 }));
    // Predicted: {a1, a2, b1}, {a3}, {b2}.
    const storyOf = new Map([['a1', 1], ['a2', 1], ['b1', 1], ['a3', 2], ['b2', 3]]);
    const s = score(items, storyOf);
    expect(s.pairs).toEqual({ truePositive: 1, predicted: 3, actual: 4 });
    expect(s.pairwise.precision).toBeCloseTo(1 / 3, 10);
    expect(s.pairwise.recall).toBeCloseTo(1 / 4, 10);
    // B-cubed precision: a1, a2 → 2/3 each, b1 → 1/3, a3, b2 → 1.
    expect(s.bcubed.precision).toBeCloseTo((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5, 10);
    const fold = score(items, storyOf, new Set(['b1', 'b2']));
    expect(fold.pairs).toEqual({ truePositive: 0, predicted: 1, actual: 1 });
  });

  it('scores related coverage: pairs merged or directly related, and links that join one event', () => {
    const items = ['a1', 'a2', 'a3', 'b1', 'c1'].map((id) => ({ id, cluster: id[0]!, source: 's', title: '', summary: '', url: null, published: 0 }));
    // Stories: 1 = {a1, a2}, 2 = {a3}, 3 = {b1}, 4 = {c1}; links 1–2 (right), 2–3 (wrong).
    const storyOf = new Map([['a1', 1], ['a2', 1], ['a3', 2], ['b1', 3], ['c1', 4]]);
    const c = coverage(items, storyOf, [[1, 2], [2, 3]]);
    // Same-event pairs: a1–a2 merged, a1–a3 and a2–a3 related: all 3 reached.
    expect(c).toEqual({ recall: 1, relatedPrecision: 0.5, links: 2 });
    expect(coverage(items, storyOf, [])).toEqual({ recall: 1 / 3, relatedPrecision: 1, links: 0 });
  });

  it('prints the JSON summary the issue specifies', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/eval-dedup.ts', file, '--order', 'feeds', '--json'], { cwd: join(import.meta.dirname, '..') });
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ items: lines.length, pairwise: { precision: 1, recall: 1, f1: 1 }, bcubed: { precision: 1, recall: 1, f1: 1 }, coverage: { recall: 1 } });
    expect((report.coverage as { relatedPrecision: number }).relatedPrecision).toBeGreaterThanOrEqual(0);
    expect(report.itemsPerSecond).toBeGreaterThan(0);
  });
});
