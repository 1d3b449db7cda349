import { storySupport, type ItemVerdict } from '../dedup/choose-story.js';

/**
 * Candidate verdicts of story members asked about by the merge passes, kept from one pass to the next while
 * the index has not changed between them. Nothing a lookup reads changes meanwhile (no item is added; term
 * weights follow the item count), so a member asked about again with the same fellow members left out (many
 * hints name one story, in this pass or a later one) is not looked up and scored again; only the stories its
 * candidates belong to move, with the passes' own merges. A first poll notes thousands of hints, checked a
 * hundred per pass: about a quarter of their lookups repeat an earlier pass's.
 */
export class MergeVerdicts {
  private verdicts = new Map<string, ItemVerdict[]>();
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

  /** The member's verdicts, `except` (its fellow members) left out of its candidates. */
  of(member: { itemId: number }, except: readonly number[], lookUp: () => ItemVerdict[]): ItemVerdict[] {
    const key = `${member.itemId}:${except.join(',')}`;
    let found = this.verdicts.get(key);
    if (!found) this.verdicts.set(key, (found = lookUp()));
    return found;
  }

  /** The support of story `to` among a member's verdicts, with the stories as they are now. */
  support(verdicts: readonly ItemVerdict[], to: number, sameOutletPenalty: number): number {
    const now = verdicts.map((v) => ({ ...v, storyId: this.storyOf(v.storyId) }));
    return storySupport(now, sameOutletPenalty).find((s) => s.storyId === to)?.probability ?? 0;
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
