import { terms } from './tokenize.js';

/** The sections the shipped classifier tells apart (AG News: World, Sports, Business, Sci/Tech). */
export type ClassifierClass = 'world' | 'sports' | 'business' | 'tech';

/** A multinomial logistic regression over an item's distinct headline and lede terms (and adjacent pairs). */
export interface TopicModel {
  classes: ClassifierClass[];
  bias: number[];
  /** Feature → one weight per class; features the training pruned weigh nothing. */
  weights: Record<string, number[]>;
  /** Per class, the confidence a prediction must exceed to be trusted (chosen for precision on data the model never saw). */
  thresholds: Record<ClassifierClass, number>;
  /** How the model was made and what it measured, for docs and the recompute fingerprint. */
  meta: Record<string, unknown>;
}

/** The classifier's best class for an item, with its softmax probability. */
export interface Prediction {
  label: ClassifierClass;
  confidence: number;
}

/**
 * The features of a text: its distinct stemmed terms and adjacent term pairs ("interest rate", "world cup").
 * Binary, not counted: a headline repeated in the lede should not weigh twice.
 */
export function classifierFeatures(text: string): string[] {
  const words = terms(text).filter((t) => !t.startsWith('#'));
  const features = new Set<string>(words);
  for (let i = 1; i < words.length; i++) features.add(`${words[i - 1]} ${words[i]}`);
  return [...features];
}

/** Class probabilities (softmax) of a feature set under a model, in the model's class order. */
export function classProbabilities(model: TopicModel, features: readonly string[]): number[] {
  const scores = [...model.bias];
  for (const f of features) {
    const w = model.weights[f];
    if (!w) continue;
    for (let k = 0; k < scores.length; k++) scores[k]! += w[k]!;
  }
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / total);
}

/** The best class of an item's headline and lede; null when none of its features is known to the model. */
export function classify(model: TopicModel, title: string, lede: string): Prediction | null {
  const features = classifierFeatures(`${title}\n${lede}`);
  if (!features.some((f) => model.weights[f])) return null;
  const p = classProbabilities(model, features);
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  return { label: model.classes[best]!, confidence: p[best]! };
}
