/** One regression tree of the pair model: a complete binary tree stored level by level. */
export interface PairTree {
  /** Feature index tested at each inner node (-1: no split, go left). */
  feature: number[];
  /** Go right when the feature is at least this value. */
  threshold: number[];
  /** Log-odds added by each leaf, left to right. */
  leaf: number[];
}

/** Gradient-boosted trees over pair features, as scripts/train-dedup.ts writes them. */
export interface PairModel {
  /** Feature names, in the order the trees index them. */
  features: string[];
  depth: number;
  /** Log-odds before any tree (the prior of a candidate pair being one event). */
  base: number;
  trees: PairTree[];
  /** How the model was made, for people reading the file. */
  trainedOn?: unknown;
}

/** The model's log-odds that two items with these features report one event. */
export function pairLogit(model: PairModel, features: readonly number[]): number {
  let z = model.base;
  const inner = 2 ** model.depth - 1;
  for (const tree of model.trees) {
    let node = 0;
    for (let level = 0; level < model.depth; level++) {
      const f = tree.feature[node]!;
      node = 2 * node + 1 + (f >= 0 && features[f]! >= tree.threshold[node]! ? 1 : 0);
    }
    z += tree.leaf[node - inner]!;
  }
  return z;
}

/** The logistic function: log-odds to probability. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Probability to log-odds. */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
