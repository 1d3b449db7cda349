/**
 * The MinHash band keys of the items held in memory, as a multimap from a 32-bit key to slot numbers.
 * Nearly every key belongs to one item, and a window holds sixteen keys an item: a Map of them cost about
 * forty bytes a key, this open-addressing table in two Int32Arrays eight to sixteen.
 */
export class BandIndex {
  private keys = new Int32Array(1024);
  /** Slot number per cell; -1: empty. */
  private slots = new Int32Array(1024).fill(-1);
  private size = 0;

  /** Adds a key of a slot. */
  add(key: number, slot: number): void {
    if (2 * (this.size + 1) > this.slots.length) this.resize(this.slots.length * 2);
    this.put(key | 0, slot);
  }

  /** Calls `found` with each slot holding the key. */
  forEach(key: number, found: (slot: number) => void): void {
    const mask = this.slots.length - 1;
    const k = key | 0;
    for (let cell = k & mask; this.slots[cell] !== -1; cell = (cell + 1) & mask) if (this.keys[cell] === k) found(this.slots[cell]!);
  }

  /** Drops the keys of slots no longer alive (a table with holes cannot delete in place: it is rebuilt). */
  sweep(alive: Uint8Array): void {
    const { keys, slots } = this;
    let kept = 0;
    for (let cell = 0; cell < slots.length; cell++) if (slots[cell] !== -1 && alive[slots[cell]!]) kept++;
    let capacity = 1024;
    while (capacity < 2 * kept) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    this.size = 0;
    for (let cell = 0; cell < slots.length; cell++) if (slots[cell] !== -1 && alive[slots[cell]!]) this.put(keys[cell]!, slots[cell]!);
  }

  private put(key: number, slot: number): void {
    const mask = this.slots.length - 1;
    let cell = key & mask;
    while (this.slots[cell] !== -1) cell = (cell + 1) & mask;
    this.keys[cell] = key;
    this.slots[cell] = slot;
    this.size++;
  }

  private resize(capacity: number): void {
    const { keys, slots } = this;
    this.keys = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    this.size = 0;
    for (let cell = 0; cell < slots.length; cell++) if (slots[cell] !== -1) this.put(keys[cell]!, slots[cell]!);
  }
}
