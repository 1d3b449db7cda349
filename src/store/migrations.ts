/** Keeps the full-text index of headlines and summaries in step with items; two shipped steps run it (the second after a tokenizer change): never edit it. */
const ITEMS_FTS_TRIGGERS = `
  CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
  END;
  CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
  END;
  CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
    INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
  END;`;

/**
 * Schema migrations, applied in order inside one transaction each; PRAGMA user_version records how many ran.
 * Append new steps; never edit a step that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    outlet TEXT NOT NULL,
    feed_title TEXT,
    site_url TEXT,
    format TEXT,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    created_at INTEGER NOT NULL,
    last_fetched_at INTEGER,
    last_full_fetch_at INTEGER,
    last_success_at INTEGER,
    last_status INTEGER,
    last_error TEXT,
    error_count INTEGER NOT NULL DEFAULT 0,
    failing_since INTEGER,
    next_fetch_at INTEGER,
    interval_ms INTEGER,
    disabled_reason TEXT,
    permanent_redirect TEXT,
    redirect_since INTEGER,
    guid_mode TEXT NOT NULL DEFAULT 'guid'
  );

  CREATE TABLE stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    representative_item_id INTEGER,
    first_published_at INTEGER NOT NULL,
    last_published_at INTEGER NOT NULL,
    item_count INTEGER NOT NULL DEFAULT 0,
    source_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    merged_into INTEGER REFERENCES stories(id)
  );
  CREATE INDEX stories_recent ON stories(first_published_at DESC, id DESC) WHERE merged_into IS NULL;
  CREATE INDEX stories_merged_into ON stories(merged_into) WHERE merged_into IS NOT NULL;

  CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id),
    entry_key TEXT NOT NULL,
    guid TEXT,
    link TEXT,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    content TEXT,
    author TEXT,
    published_at INTEGER NOT NULL,
    has_date INTEGER NOT NULL,
    updated_at INTEGER,
    first_seen_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]',
    enclosure TEXT,
    image TEXT,
    content_hash TEXT NOT NULL,
    UNIQUE (feed_id, entry_key)
  );
  CREATE INDEX items_story ON items(story_id, published_at);
  CREATE INDEX items_feed_seen ON items(feed_id, first_seen_at);

  -- Exact merge keys of an item: "u:" canonical URL, "g:" URI guid, "t:" normalized title.
  CREATE TABLE item_keys (
    key TEXT NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (key, item_id)
  ) WITHOUT ROWID;
  CREATE INDEX item_keys_item ON item_keys(item_id);

  CREATE VIRTUAL TABLE items_fts USING fts5(
    title, summary, content='items', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
  );
  ${ITEMS_FTS_TRIGGERS}
  `,
  // Same-event clustering: item profiles (terms, names, numbers, MinHash) and document frequencies. Ingest
  // adds a batch's counts when it commits; a trigger takes a deleted profile's counts off, so retention's
  // cascading deletes keep them right. The inverted index and the MinHash band index over the active window
  // are built in memory from item_profiles.
  `
  CREATE TABLE item_profiles (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    published_at INTEGER NOT NULL,
    minhash TEXT NOT NULL,
    -- Distinct terms and MinHash band keys as JSON arrays: what document frequencies count, what the
    -- in-memory indexes are rebuilt from.
    terms TEXT NOT NULL,
    bands TEXT NOT NULL,
    profile TEXT NOT NULL
  );
  CREATE INDEX item_profiles_published ON item_profiles(published_at);

  CREATE TABLE term_frequencies (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- Pairs of stories that one item found about equally likely: the periodic merge checks them.
  CREATE TABLE story_merge_hints (
    story_id INTEGER NOT NULL,
    other_id INTEGER NOT NULL,
    PRIMARY KEY (story_id, other_id)
  ) WITHOUT ROWID;

  INSERT OR IGNORE INTO meta (key, value) VALUES ('dedup_documents', '0');

  CREATE TRIGGER item_profiles_count_delete AFTER DELETE ON item_profiles BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) - 1 WHERE key = 'dedup_documents';
    UPDATE term_frequencies SET df = df - 1 WHERE term IN (SELECT value FROM json_each(old.terms));
    DELETE FROM term_frequencies WHERE term IN (SELECT value FROM json_each(old.terms)) AND df <= 0;
  END;
  `,
  // What a successful fetch still had to say (items beyond maxItemsPerFeed dropped): shown in /api/feeds.
  `
  ALTER TABLE feeds ADD COLUMN last_warning TEXT;
  `,
  // Curator corrections (merge, split, apart) and related coverage. A correction names the items of each
  // side as they were when it was made: "apart" and "split" forbid any story from holding items of both
  // sides, whatever ids the stories have since; the rows go with their items (retention), the correction
  // when nothing of it is left.
  `
  CREATE TABLE story_corrections (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'apart')),
    story_id INTEGER NOT NULL,
    other_id INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX story_corrections_story ON story_corrections(story_id);
  CREATE INDEX story_corrections_other ON story_corrections(other_id);

  CREATE TABLE correction_items (
    correction_id INTEGER NOT NULL REFERENCES story_corrections(id) ON DELETE CASCADE,
    side INTEGER NOT NULL CHECK (side IN (0, 1)),
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (correction_id, side, item_id)
  ) WITHOUT ROWID;
  CREATE INDEX correction_items_item ON correction_items(item_id);

  -- Stories likely about the same event but not safe to merge; both directions are stored.
  CREATE TABLE story_links (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    other_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    support REAL NOT NULL,
    PRIMARY KEY (story_id, other_id)
  ) WITHOUT ROWID;
  CREATE INDEX story_links_other ON story_links(other_id);
  `,
  // Search with stemming: the porter tokenizer (over unicode61) makes "rates" find "rate" and "troop" find
  // "troops". A tokenizer cannot change in place: the table and its triggers are made again and the index
  // rebuilt from items. British/American spellings are widened at query time (src/serve/feed-query.ts).
  `
  DROP TRIGGER items_fts_insert;
  DROP TRIGGER items_fts_delete;
  DROP TRIGGER items_fts_update;
  DROP TABLE items_fts;
  CREATE VIRTUAL TABLE items_fts USING fts5(
    title, summary, content='items', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
  );
  ${ITEMS_FTS_TRIGGERS}
  INSERT INTO items_fts(items_fts) VALUES ('rebuild');
  `,
  // Item-level topics: which configured topics each item fits and why (section, rule, classifier), whatever
  // feed it came from; the feed's tags and topicMode are applied at request time. Rows are rewritten by the
  // ingest thread for new items and, when the topics' rules change, for every stored item (src/cluster/item-topics.ts).
  `
  CREATE TABLE item_topics (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    evidence TEXT NOT NULL CHECK (evidence IN ('section', 'rule', 'classifier')),
    detail TEXT NOT NULL,
    PRIMARY KEY (item_id, tag)
  ) WITHOUT ROWID;
  `,
  // Push: WebSub subscriptions to this server's topic feeds, the content hash last pushed per topic, story
  // alerts already fired (once per alert and story, across restarts) and the delivery queue with its retries.
  // Written by the main thread on its own connection (src/store/push-store.ts), never by the ingest thread.
  `
  CREATE TABLE websub_subscriptions (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    callback TEXT NOT NULL,
    callback_host TEXT NOT NULL,
    secret TEXT,
    lease_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    verified_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_delivery_at INTEGER,
    last_error TEXT,
    UNIQUE (topic, callback)
  );
  CREATE INDEX websub_subscriptions_host ON websub_subscriptions(callback_host);

  CREATE TABLE websub_topics (
    topic TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    changed_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE alerts_seen (
    alert_key TEXT PRIMARY KEY,
    first_seen_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE alert_stories (
    alert_key TEXT NOT NULL,
    story_id INTEGER NOT NULL,
    fired_at INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    PRIMARY KEY (alert_key, story_id)
  ) WITHOUT ROWID;

  CREATE TABLE push_deliveries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('websub', 'alert')),
    subscription_id INTEGER REFERENCES websub_subscriptions(id) ON DELETE CASCADE,
    alert_key TEXT,
    story_id INTEGER,
    url TEXT NOT NULL,
    content_type TEXT,
    headers TEXT,
    body BLOB,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    first_attempt_at INTEGER,
    next_attempt_at INTEGER NOT NULL,
    finished_at INTEGER,
    last_status INTEGER,
    last_error TEXT
  );
  CREATE INDEX push_deliveries_due ON push_deliveries(next_attempt_at) WHERE state = 'pending';
  CREATE UNIQUE INDEX push_deliveries_one_pending ON push_deliveries(subscription_id) WHERE state = 'pending' AND kind = 'websub';
  CREATE INDEX push_deliveries_recent ON push_deliveries(kind, created_at DESC);
  `,
  // Outlets that push (WebSub subscriber side): the hub and self URL each feed names (written by the ingest
  // thread with the rest of the feed's state), whether its next poll was put off because a push subscription
  // was live, and the subscriptions newsmerge holds at outlets' hubs (written by the main thread,
  // src/store/outlet-push-store.ts; read by the ingest thread to lengthen the polling interval).
  `
  ALTER TABLE feeds ADD COLUMN hub_url TEXT;
  ALTER TABLE feeds ADD COLUMN self_url TEXT;
  ALTER TABLE feeds ADD COLUMN push_polled INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE outlet_subscriptions (
    feed_id INTEGER PRIMARY KEY,
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    token TEXT NOT NULL,
    secret TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('subscribing', 'live', 'failed', 'denied', 'expired', 'unsubscribing')),
    pending_mode TEXT CHECK (pending_mode IN ('subscribe', 'unsubscribe')),
    requested_at INTEGER,
    lease_seconds INTEGER,
    since INTEGER,
    expires_at INTEGER,
    last_push_at INTEGER,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    created_at INTEGER NOT NULL
  );
  `,
  // Merge hints carry the publication time of the item that noted them: the periodic merge takes them in that
  // order, so that one pass asks about stories of one stretch of time, whose candidates it has just compared.
  `
  ALTER TABLE story_merge_hints ADD COLUMN noted_for INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX story_merge_hints_by_time ON story_merge_hints(noted_for, story_id, other_id);
  `,
];
