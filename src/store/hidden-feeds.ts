/**
 * Feeds removed from the config, whose items every read leaves out (bound as @hidden, a JSON array of ids):
 * one instance shared by the queries that filter them, set where the config is applied.
 */
export class HiddenFeeds {
  /** The ids as the @hidden parameter binds them; '[]' shows everything. */
  json = '[]';

  /** Leaves the items of these feeds out of every read from now on; [] shows all. */
  set(feedIds: readonly number[]): void {
    this.json = JSON.stringify([...feedIds].sort((a, b) => a - b));
  }
}

/** SQL: the item aliased `alias` is of a feed still in the config. */
export function visibleItem(alias: string): string {
  return `${alias}.feed_id NOT IN (SELECT value FROM json_each(@hidden))`;
}
