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
  CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
  END;
  CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
  END;
  CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
    INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
  END;
  `,
];
