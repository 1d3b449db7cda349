import { randomInt } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/** A database that cannot be opened or written; the message says which file and why. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** The SQLite file newsmerge keeps in its data directory. */
export const DATABASE_FILE = 'newsmerge.db';

/** How to open the database. */
export interface OpenOptions {
  readonly?: boolean;
  /** How long a writer waits for another process's write lock (npm run poll beside the server). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the database in `dataDir`: WAL, a busy timeout, foreign keys, and every
 * pending migration. Throws StoreError when the directory or file cannot be used.
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): Database.Database {
  const file = join(dataDir, DATABASE_FILE);
  if (!options.readonly) {
    try {
      makeDirectory(dataDir);
      accessSync(dataDir, constants.W_OK);
    } catch (err) {
      const uid = process.getuid?.();
      const owner = uid === undefined ? '' : ` by this process (uid ${uid}; a mounted directory must belong to it)`;
      throw new StoreError(`Data directory ${dataDir} is not writable${owner}: ${(err as Error).message}`);
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A checkpoint is what syncs to disk in WAL mode; at SQLite's default (every 1,000 pages) a busy
      // ingest spent a tenth of its time in them. A 40 MB WAL checkpoints a tenth as often, and the size
      // limit truncates it again afterwards.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    throw new StoreError(`Cannot open database ${file}: ${(err as Error).message}`);
  }
  if (!options.readonly) {
    try {
      migrate(db);
    } catch (err) {
      db.close();
      throw new StoreError(`Cannot migrate database ${file}: ${(err as Error).message}`);
    }
  }
  return db;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever on some pseudo file systems (a data
 * directory under /proc), where this fails at once.
 */
function makeDirectory(dir: string): void {
  const parent = dirname(dir);
  if (parent !== dir && !existsSync(parent)) makeDirectory(parent);
  if (!existsSync(dir)) mkdirSync(dir);
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`schema version ${current} is newer than this newsmerge knows (${MIGRATIONS.length}); upgrade newsmerge`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      if (version === 0) seedStoryIds(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/**
 * Story ids name entries in readers' caches (urn:newsmerge:story:<id>). A fresh database starts them at a
 * random offset so that wiping the data directory never hands an old id, already read, to a new story.
 */
function seedStoryIds(db: Database.Database): void {
  db.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('stories', ?)`).run(randomInt(1_000_000, 2 ** 40));
  db.prepare(`INSERT INTO meta (key, value) VALUES ('story_version', '0')`).run();
}
