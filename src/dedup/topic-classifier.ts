import { splitWords } from './tokenize.js';

/** The sections the shipped classifier tells apart (AG News: World, Sports, Business, Sci/Tech). */
export type ClassifierClass = 'world' | 'sports' | 'business' | 'tech';

/**
 * A multinomial logistic regression over an item's distinct headline and lede terms, adjacent term pairs and
 * words as written, each weighted by its idf, the item's vector normalised to length 1 (featureValues).
 */
export interface TopicModel {
  classes: ClassifierClass[];
  bias: number[];
  /** Feature → one weight per class, then the feature's idf; features the training left out weigh nothing. */
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
 * The features of a text: its distinct stemmed terms, adjacent term pairs ("interest rate", "world cup") and
 * words as written ("=Apple", "=US"; not numbers), which keep what stemming and lowercasing lose.
 * Distinct, not counted: a headline repeated in the lede should not weigh twice.
 */
export function classifierFeatures(text: string): string[] {
  const words = splitWords(text);
  const stems = words.map((w) => w.term).filter((t): t is string => t !== null && !t.startsWith('#'));
  const features = new Set<string>(stems);
  for (let i = 1; i < stems.length; i++) features.add(`${stems[i - 1]} ${stems[i]}`);
  for (const w of words) if (w.text.length >= 2 && !/^\p{N}/u.test(w.text)) features.add(`=${w.text}`);
  return [...features];
}

/**
 * The value of each known feature of an item: its idf divided by the length of the vector of the item's known
 * features' idfs (an L2-normalised tf-idf vector over distinct features, tf being 1). Training and
 * classProbabilities both weigh features through this function. Unknown features (idf undefined) are left out.
 */
export function featureValues<F>(features: readonly string[], idfOf: (feature: string) => { key: F; idf: number } | undefined): { key: F; value: number }[] {
  const known: { key: F; value: number }[] = [];
  let norm = 0;
  for (const f of features) {
    const k = idfOf(f);
    if (!k) continue;
    known.push({ key: k.key, value: k.idf });
    norm += k.idf * k.idf;
  }
  norm = Math.sqrt(norm);
  for (const k of known) k.value /= norm;
  return known;
}

/** A feature's weights (and idf) in the model: own properties only, as "constructor" is a word too. */
function rowOf(model: TopicModel, feature: string): number[] | undefined {
  return Object.hasOwn(model.weights, feature) ? model.weights[feature] : undefined;
}

/** The model's weights of the item's known features, each with its value (featureValues). */
function knownFeatures(model: TopicModel, features: readonly string[]): Array<{ key: number[]; value: number }> {
  const K = model.bias.length;
  return featureValues(features, (f) => {
    const w = rowOf(model, f);
    return w && { key: w, idf: w[K]! };
  });
}

/** Softmax of the scores of an item's known features, in the model's class order. */
function softmax(model: TopicModel, known: ReadonlyArray<{ key: number[]; value: number }>): number[] {
  const scores = [...model.bias];
  for (const { key: w, value } of known) for (let k = 0; k < scores.length; k++) scores[k]! += w[k]! * value;
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / total);
}

/** Class probabilities (softmax) of a feature set under a model, in the model's class order. */
export function classProbabilities(model: TopicModel, features: readonly string[]): number[] {
  return softmax(model, knownFeatures(model, features));
}

/** The best class of an item's headline and lede; null when none of its features is known to the model. */
export function classify(model: TopicModel, title: string, lede: string): Prediction | null {
  const known = knownFeatures(model, classifierFeatures(`${title}\n${lede}`));
  if (known.length === 0) return null;
  const p = softmax(model, known);
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  return { label: model.classes[best]!, confidence: p[best]! };
}
