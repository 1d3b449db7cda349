import type { PairModel, PairTree } from '../src/dedup/pair-model.js';

/** A labelled pair for training. */
export interface Example {
  features: readonly number[];
  label: 0 | 1;
}

/** Knobs of gradient boosting. */
export interface BoostingOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Quantile bins per feature: splits are searched between bins. */
  bins: number;
  /** Smallest summed hessian a leaf may have (guards against leaves of a few pairs). */
  minLeafWeight: number;
  l2: number;
}

/** Defaults that train in seconds on a few hundred thousand pairs and keep the model file small. */
export const DEFAULT_BOOSTING: BoostingOptions = { trees: 60, depth: 3, learningRate: 0.2, bins: 32, minLeafWeight: 5, l2: 1 };

function quantileEdges(values: number[], bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const q = sorted[Math.floor((b * sorted.length) / bins)]!;
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  return edges;
}

function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Split {
  feature: number;
  threshold: number;
}

function bestSplit(grad: Float64Array[], hess: Float64Array[], edges: number[][], o: BoostingOptions): Split {
  let bestGain = 0;
  let best: Split = { feature: -1, threshold: 0 };
  edges.forEach((featureEdges, f) => {
    const g = grad[f]!;
    const h = hess[f]!;
    let gt = 0;
    let ht = 0;
    for (let b = 0; b < g.length; b++) {
      gt += g[b]!;
      ht += h[b]!;
    }
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < featureEdges.length; b++) {
      gl += g[b]!;
      hl += h[b]!;
      const gr = gt - gl;
      const hr = ht - hl;
      if (hl < o.minLeafWeight || hr < o.minLeafWeight) continue;
      const gain = (gl * gl) / (hl + o.l2) + (gr * gr) / (hr + o.l2) - (gt * gt) / (ht + o.l2);
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature: f, threshold: featureEdges[b]! };
      }
    }
  });
  return best;
}

/**
 * Fits gradient-boosted regression trees on the logistic loss (second-order, histogram splits, complete
 * trees of fixed depth). Deterministic: the same examples give the same model.
 */
export function fitBoostedTrees(examples: readonly Example[], names: readonly string[], o: BoostingOptions = DEFAULT_BOOSTING): PairModel {
  const n = examples.length;
  const d = names.length;
  const edges = names.map((_, f) => quantileEdges(examples.map((e) => e.features[f]!), o.bins));
  const binned = examples.map((e) => Uint8Array.from(e.features.slice(0, d), (x, f) => binOf(edges[f]!, x)));
  const positives = examples.reduce((sum, e) => sum + e.label, 0);
  const base = Math.log(Math.max(positives, 1) / Math.max(n - positives, 1));
  const score = new Float64Array(n).fill(base);
  const trees: PairTree[] = [];
  const inner = 2 ** o.depth - 1;
  for (let t = 0; t < o.trees; t++) {
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-score[i]!));
      g[i] = p - examples[i]!.label;
      h[i] = p * (1 - p);
    }
    const feature = new Array<number>(inner).fill(-1);
    const threshold = new Array<number>(inner).fill(0);
    const node = new Int32Array(n);
    for (let level = 0; level < o.depth; level++) {
      const first = 2 ** level - 1;
      const count = 2 ** level;
      const grad = Array.from({ length: count }, () => Array.from({ length: d }, () => new Float64Array(o.bins + 1)));
      const hess = Array.from({ length: count }, () => Array.from({ length: d }, () => new Float64Array(o.bins + 1)));
      for (let i = 0; i < n; i++) {
        const k = node[i]! - first;
        const bins = binned[i]!;
        for (let f = 0; f < d; f++) {
          grad[k]![f]![bins[f]!]! += g[i]!;
          hess[k]![f]![bins[f]!]! += h[i]!;
        }
      }
      for (let k = 0; k < count; k++) {
        const split = bestSplit(grad[k]!, hess[k]!, edges, o);
        feature[first + k] = split.feature;
        threshold[first + k] = split.threshold;
      }
      for (let i = 0; i < n; i++) {
        const k = node[i]!;
        const f = feature[k]!;
        node[i] = 2 * k + 1 + (f >= 0 && examples[i]!.features[f]! >= threshold[k]! ? 1 : 0);
      }
    }
    const leafGrad = new Float64Array(inner + 1);
    const leafHess = new Float64Array(inner + 1);
    for (let i = 0; i < n; i++) {
      leafGrad[node[i]! - inner]! += g[i]!;
      leafHess[node[i]! - inner]! += h[i]!;
    }
    const leaf = Array.from(leafGrad, (lg, k) => Number(((-o.learningRate * lg) / (leafHess[k]! + o.l2)).toFixed(5)));
    for (let i = 0; i < n; i++) score[i]! += leaf[node[i]! - inner]!;
    trees.push({ feature, threshold: threshold.map((x) => Number(x.toPrecision(6))), leaf });
  }
  return { features: [...names], depth: o.depth, base: Number(base.toFixed(5)), trees };
}
