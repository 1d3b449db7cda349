import { pickRepresentative } from '../dedup/pick-representative.js';
import type { Store } from '../store/store.js';
import type { ClusterEngine } from './cluster-engine.js';

/**
 * Makes two stories one: every item of `absorbed` moves to `survivor` (in the store and the in-memory
 * index) with its related coverage, and `absorbed` is marked merged into it, so that its id redirects.
 * Callers check store.corrections.keptApart() first. Call inside engine.write().
 */
export function mergeStoryInto({ store, index }: ClusterEngine, absorbed: number, survivor: number, now: number, version: number): void {
  store.items.moveStory(absorbed, survivor);
  index.storyMoved(absorbed, survivor);
  store.links.storyMoved(absorbed, survivor);
  store.stories.markMerged(absorbed, survivor, now, version);
}

/** Recomputes a story's headline, outlets and times from its items; false when it has none left. Call inside store.write(). */
export function refreshStory(store: Store, storyId: number, now: number, version: number): boolean {
  const members = store.items.members(storyId);
  if (members.length === 0) return false;
  store.stories.refresh(storyId, pickRepresentative(members), now, version);
  return true;
}
