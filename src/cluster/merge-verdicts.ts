import { storySupport, type CandidateVerdict, type StorySupport } from '../dedup/choose-story.js';

/**
 * Most members' verdicts kept, the least recently asked dropped first. A first poll's last passes check tens
 * of thousands of hints against an unchanged index: keeping every answer as objects took 80 MB of the server's
 * 300, and 10,000 of them 37 MB; packed, this many cost about 2 MB.
 */
const MAX_KEPT = 5_000;

/**
 * Candidate verdicts of story members asked about by the merge passes, kept from one pass to the next while
 * the index has not changed between them. Nothing a lookup reads changes meanwhile (no item is added; term
 * weights follow the item count), so a member asked about again with the same fellow members left out (many
 * hints name one story, in this pass or a later one) is not looked up and scored again; only the stories its
 * candidates belong to move, with the passes' own merges. A first poll notes thousands of hints, checked a
 * hundred per pass: about a quarter of their lookups repeat an earlier pass's.
 */
export class MergeVerdicts {
  /** Per member and fellow members left out: its verdicts packed as (story, logit, same outlet) triples. */
  private verdicts = new Map<string, Float64Array>();
  private moved = new Map<number, number>();
  /** The index version the kept verdicts hold for (null: none kept). */
  private heldFor: number | null = null;

  /** Starts a pass: what was kept is dropped unless the index is as the last pass left it. */
  begin(indexVersion: number): void {
    if (indexVersion === this.heldFor) return;
    this.verdicts = new Map();
    this.moved = new Map();
  }

  /** Ends a pass, the index as it left it (its own merges moved stories, which `merged` recorded). */
  end(indexVersion: number): void {
    this.heldFor = indexVersion;
  }

  /**
   * The support of story `to` among a member's candidates (`except`, its fellow members, left out), with the
   * stories as they are now (zero when none of them is of `to`); `lookUp` asks the index when the verdicts are
   * not kept.
   */
  support(member: { itemId: number }, except: readonly number[], to: number, sameOutletPenalty: number, lookUp: () => CandidateVerdict[]): StorySupport {
    const key = `${member.itemId}:${except.join(',')}`;
    let packed = this.verdicts.get(key);
    if (packed) this.verdicts.delete(key);
    else packed = pack(lookUp());
    this.verdicts.set(key, packed);
    if (this.verdicts.size > MAX_KEPT) this.verdicts.delete(this.verdicts.keys().next().value!);
    // Only the candidates now of `to` count: the others are not scored at all.
    const ofTo: CandidateVerdict[] = [];
    for (let i = 0; i < packed.length; i += 3) if (this.storyOf(packed[i]!) === to) ofTo.push({ storyId: to, logit: packed[i + 1]!, sameOutlet: packed[i + 2] === 1 });
    return storySupport(ofTo, sameOutletPenalty)[0] ?? { storyId: to, probability: 0, best: 0 };
  }

  /** Notes a merge of a pass. */
  merged(absorbed: number, survivor: number): void {
    this.moved.set(absorbed, survivor);
  }

  private storyOf(id: number): number {
    for (let next = this.moved.get(id); next !== undefined; next = this.moved.get(id)) id = next;
    return id;
  }
}

function pack(verdicts: readonly CandidateVerdict[]): Float64Array {
  const packed = new Float64Array(3 * verdicts.length);
  verdicts.forEach((v, i) => packed.set([v.storyId, v.logit, v.sameOutlet ? 1 : 0], 3 * i));
  return packed;
}
