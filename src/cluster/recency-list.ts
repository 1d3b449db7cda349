/** The links an object carries to sit in a RecencyList (set by the list only). */
export interface RecencyLinks<T> {
  newer?: T | undefined;
  older?: T | undefined;
}

/**
 * Objects in the order they were last touched, oldest first, linked through fields of their own: moving one
 * to the front costs a few assignments, where a `Set` (delete, then add) hashed it twice on every one of a
 * first poll's million candidate reads.
 */
export class RecencyList<T extends RecencyLinks<T>> {
  private first: T | undefined;
  private last: T | undefined;
  private count = 0;

  /** Number of objects listed. */
  get size(): number {
    return this.count;
  }

  /** The least recently touched object. */
  oldest(): T | undefined {
    return this.first;
  }

  /** Whether `item` is listed (the first one has no older neighbour, every other one has). */
  has(item: T): boolean {
    return item.older !== undefined || item === this.first;
  }

  /** Makes `item` the most recently touched (listing it if it was not). */
  touch(item: T): void {
    if (item === this.last) return;
    if (this.has(item)) this.unlink(item);
    item.older = this.last;
    item.newer = undefined;
    if (this.last) this.last.newer = item;
    else this.first = item;
    this.last = item;
    this.count++;
  }

  /** Takes `item` out of the list (nothing if it is not listed). */
  remove(item: T): void {
    if (this.has(item)) this.unlink(item);
  }

  /** Empties the list. */
  clear(): void {
    for (let item = this.first; item; ) {
      const next = item.newer;
      item.newer = item.older = undefined;
      item = next;
    }
    this.first = this.last = undefined;
    this.count = 0;
  }

  private unlink(item: T): void {
    if (item.older) item.older.newer = item.newer;
    else this.first = item.newer;
    if (item.newer) item.newer.older = item.older;
    else this.last = item.older;
    item.newer = item.older = undefined;
    this.count--;
  }
}
