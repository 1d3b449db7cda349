/**
 * `npm run backup -- FILE`: writes a consistent copy of the database with SQLite's online backup API,
 * safe while the server runs and polls (the copy is a snapshot; writers are never blocked for long).
 */
import { openForCopy } from './store-copy.js';

const COMMAND = {
  name: 'newsmerge backup',
  usage: 'Usage: npm run backup -- FILE',
  description: 'Copies the database in NEWSMERGE_DATA (default ./data) to FILE while the server may be running.',
};

async function main(): Promise<number> {
  const opened = openForCopy(COMMAND, 'name the FILE to write the copy to');
  if (!opened) return 1;
  const { file, store } = opened;
  try {
    const started = Date.now();
    const { bytes } = await store.backup(file);
    process.stdout.write(`Backed up ${(bytes / 1e6).toFixed(1)} MB to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`newsmerge backup: cannot write ${file}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    store.close();
  }
}

process.exitCode = await main();
