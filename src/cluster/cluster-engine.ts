import type { Store } from '../store/store.js';
import { CandidateIndex } from './candidate-index.js';
import { MergeVerdicts } from './merge-verdicts.js';

/**
 * The clustering engine's state: the store, and the in-memory candidate index over its item profiles. The
 * one writer (the ingest thread, or `npm run poll`) makes one and passes it to every clustering stage:
 * storeEntries, mergeConvergedStories, pruneExpired, tryCorrection.
 */
export class ClusterEngine {
  readonly index: CandidateIndex;
  /** What the merge passes asked the index, kept while it does not change. */
  readonly mergeVerdicts = new MergeVerdicts();

  /** `windowMs` (dedup.window) sizes the candidate index. */
  constructor(
    readonly store: Store,
    windowMs: number,
  ) {
    this.index = new CandidateIndex(store.clustering, windowMs);
  }

  /** Runs `fn` in one write transaction; on rollback the index forgets what it held (what it indexed is gone). */
  write<T>(fn: () => T): T {
    try {
      return this.store.write(fn);
    } catch (err) {
      this.index.forget();
      throw err;
    }
  }
}
