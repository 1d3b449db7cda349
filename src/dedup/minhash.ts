/**
 * MinHash of an item's word pairs: the share of equal positions between two signatures estimates the
 * Jaccard similarity of their word-pair sets, which stays high for a wire copy with small edits (a
 * dateline, a credit, a changed word) and is low for different reports. Banding the signature gives
 * index keys: two items sharing any band key are candidates, found without a scan.
 */

/** Number of hash functions (positions) of a signature. */
export const MINHASH_SIZE = 64;
/** Positions per band: 16 bands of 4 make items of Jaccard 0.7 candidates with probability 0.98, of 0.3 with 0.12. */
export const MINHASH_ROWS = 4;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A well-mixed 32-bit value of `x` for hash function number `seed` (a murmur3 finalizer). */
function mix(x: number, seed: number): number {
  let h = (x ^ Math.imul(seed + 1, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Overlapping word pairs of a text (and the lone word of a one-word text): the set MinHash summarizes. */
export function shingles(words: readonly string[]): string[] {
  if (words.length < 2) return [...words];
  const out: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return out;
}

/** The MinHash signature of a set of features. */
export function minhash(features: readonly string[]): Uint32Array {
  const signature = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  for (const base of new Set(features.map(fnv1a))) {
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const h = mix(base, k);
      if (h < signature[k]!) signature[k] = h;
    }
  }
  return signature;
}

/** Estimated Jaccard similarity: the share of positions where two signatures agree. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let k = 0; k < MINHASH_SIZE; k++) if (a[k] === b[k]) same++;
  return same / MINHASH_SIZE;
}

/** The index keys of a signature: one 32-bit hash per band of MINHASH_ROWS positions, tagged with the band. */
export function minhashBands(signature: Uint32Array): number[] {
  const bands: number[] = [];
  for (let band = 0; band * MINHASH_ROWS < MINHASH_SIZE; band++) {
    let h = mix(band, 0x5bd1e995);
    for (let r = 0; r < MINHASH_ROWS; r++) h = mix(h ^ signature[band * MINHASH_ROWS + r]!, r);
    bands.push(h | 0);
  }
  return bands;
}

/** A signature as hex, for storage. */
export function formatMinhash(signature: Uint32Array): string {
  return Array.from(signature, (v) => v.toString(16).padStart(8, '0')).join('');
}

/** Reads a signature written by formatMinhash. */
export function parseMinhash(text: string): Uint32Array {
  const signature = new Uint32Array(MINHASH_SIZE);
  for (let k = 0; k < MINHASH_SIZE; k++) signature[k] = Number.parseInt(text.slice(k * 8, k * 8 + 8), 16) >>> 0;
  return signature;
}
