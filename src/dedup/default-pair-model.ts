import type { PairModel } from './pair-model.js';
import model from './pair-model.json' with { type: 'json' };

/** The pair model shipped with newsmerge, trained by scripts/train-dedup.ts on the labeled story data. */
export const DEFAULT_PAIR_MODEL: PairModel = model as PairModel;
