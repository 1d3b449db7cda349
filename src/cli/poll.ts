/**
 * `npm run poll [-- --feed URL]`: polls every enabled feed now (or one feed), whatever its next-fetch time,
 * still with conditional GET, against the same config and data directory as the server, then exits.
 * Exit 0 when the run completes however many feeds failed; 1 for a bad config or an unusable database.
 */
import { exitWithUsage, parseCommandLine } from './cli-args.js';
import { ClusterEngine } from '../cluster/cluster-engine.js';
import { loadEnv } from '../config/env.js';
import { ConfigError, loadConfigFile } from '../config/load-config.js';
import { createFetcher } from '../ingest/fetch-feed.js';
import { Poller, type CycleReport } from '../ingest/poller.js';
import { createLogger } from '../logger.js';
import { userAgentFor } from '../newsmerge.js';
import { StoreError } from '../store/open-database.js';
import { openStore } from '../store/store.js';
import { readVersion } from '../version.js';

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  return `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} feeds`;
}

function summary(report: CycleReport): string {
  const lines = [
    `Polled ${report.feeds} feed(s) in ${(report.durationMs / 1000).toFixed(1)} s: ` +
      `${report.fetched} fetched, ${report.notModified} not modified, ${report.unchanged} unchanged, ` +
      `${report.newItems} new items, ${report.updatedItems} updated, ${report.failed} failed` +
      (report.writeErrors ? `, ${report.writeErrors} not stored (database errors, see log)` : '') +
      '.',
  ];
  for (const f of report.failures) lines.push(`  failed: ${f.url}: ${f.error}`);
  return `${lines.join('\n')}\n`;
}

const COMMAND = {
  name: 'newsmerge poll',
  usage: 'Usage: npm run poll [-- --feed URL]',
  description: 'Polls every enabled feed now (or only URL); uses NEWSMERGE_CONFIG and NEWSMERGE_DATA like the server.\nExit 0 when the run completes (however many feeds failed), 1 for a bad config or database, 2 for a bad command line.',
};

async function main(): Promise<number> {
  const { values } = parseCommandLine(COMMAND, { feed: { type: 'string' } }, { maxPositionals: 0 });
  let env;
  let config;
  let store;
  try {
    env = loadEnv();
    config = loadConfigFile(env.configPath);
    store = openStore(env.dataDir);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StoreError) {
      process.stderr.write(`newsmerge poll: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (values.feed && !config.feeds.some((f) => f.url === values.feed)) {
    store.close();
    exitWithUsage(COMMAND, `${values.feed} is not a feed of ${env.configPath}`);
  }
  const version = readVersion();
  // Failures are listed in the summary; the log (stderr) carries only what the summary cannot say.
  const logger = createLogger(process.env.LOG_LEVEL ? env.logLevel : 'error', process.stderr);
  const fetcher = createFetcher();
  const poller = new Poller({ engine: new ClusterEngine(store, config.dedup.window), fetcher, config: () => config, logger, now: Date.now, userAgent: config.userAgent ?? userAgentFor(version), batchDelayMs: 200 });
  const tty = process.stderr.isTTY === true;
  const report = await poller.poll({
    mode: 'all',
    url: values.feed,
    onProgress: tty ? (done, total) => process.stderr.write(progressBar(done, total)) : undefined,
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(summary(report));
  fetcher.close();
  store.close();
  return 0;
}

process.exitCode = await main();
