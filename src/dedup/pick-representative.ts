import { normalizeTitle } from './normalize-title.js';

/** What the choice of a story's headline looks at. */
export interface Candidate {
  id: number;
  title: string;
  summary: string;
  publishedAt: number;
}

const MAX_COMPARED = 40;

function words(text: string): Set<string> {
  return new Set(normalizeTitle(text).split(' ').filter((w) => w.length > 2));
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Picks the item whose headline is most central to the story (the highest summed word overlap with the
 * other members), so the entry reads like the event rather than one outlet's angle. Ties go to the earliest.
 */
export function pickRepresentative(members: readonly Candidate[]): number | null {
  if (members.length === 0) return null;
  const pool = [...members].sort((a, b) => a.publishedAt - b.publishedAt || a.id - b.id).slice(0, MAX_COMPARED);
  if (pool.length <= 2) return pool[0]!.id;
  const bags = pool.map((m) => {
    const bag = words(m.title);
    for (const w of words(m.summary.slice(0, 300))) bag.add(w);
    return bag;
  });
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < pool.length; i++) {
    let score = 0;
    for (let j = 0; j < pool.length; j++) if (i !== j) score += overlap(bags[i]!, bags[j]!);
    if (score > bestScore + 1e-9) {
      best = i;
      bestScore = score;
    }
  }
  return pool[best]!.id;
}
