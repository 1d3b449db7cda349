/**
 * `npm run opml:import -- FILE.opml [--tags a,b]`: adds the outlets of an OPML file to feeds.config.json
 * (NEWSMERGE_CONFIG), skipping URLs already there. Without --tags, an outlet's OPML folder or category names
 * become its tags when they name a topic. The result is validated before the file is replaced.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { exitWithUsage, parseCommandLine, readInputFile } from './cli-args.js';
import { loadEnv } from '../config/env.js';
import { ConfigError, parseConfigText } from '../config/load-config.js';
import { parseOpmlOutlets } from '../config/opml-outlets.js';

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}

const COMMAND = {
  name: 'newsmerge opml:import',
  usage: 'Usage: npm run opml:import -- FILE.opml [--tags world,politics]',
  description:
    'Adds the outlets of an OPML file to the config (NEWSMERGE_CONFIG), skipping URLs already there.\n' +
    'Without --tags, an outlet\'s OPML folder or category names become its tags when they name a topic.',
};

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(COMMAND, { tags: { type: 'string' } }, { maxPositionals: 1 });
  const file = positionals[0];
  if (!file) exitWithUsage(COMMAND, 'name the FILE.opml to import');
  const opml = readInputFile(COMMAND, file);
  // A file that is not OPML is a mistake in what was named, like a missing file: usage, exit 2.
  const outlets = await parseOpmlOutlets(opml, file).catch((err: Error) => exitWithUsage(COMMAND, err.message));
  try {
    const env = loadEnv();
    const text = readFileSync(env.configPath, 'utf8');
    parseConfigText(text, env.configPath);
    const raw = JSON.parse(text) as {
      topics: Record<string, { title: string; description?: string }>;
      feeds: Array<{ url: string; title: string; outlet?: string; tags: string[] }>;
      outlets?: Record<string, unknown>;
    };
    const forced = values.tags ? values.tags.split(',').map((t) => t.trim()).filter(Boolean) : null;
    const known = new Set(raw.feeds.map((f) => f.url));
    let added = 0;
    let skipped = 0;
    const newTopics: string[] = [];
    for (const outlet of outlets) {
      if (known.has(outlet.url)) {
        skipped++;
        continue;
      }
      let tags = forced ?? outlet.categories.map(slug).filter((t) => t in raw.topics);
      if (tags.length === 0) tags = ['imported'];
      for (const tag of tags) {
        if (!(tag in raw.topics)) {
          raw.topics[tag] = { title: tag.charAt(0).toUpperCase() + tag.slice(1), description: `Outlets imported from ${file}` };
          newTopics.push(tag);
        }
      }
      const name = outlet.outlet && outlet.outlet !== outlet.title ? outlet.outlet : undefined;
      raw.feeds.push({ url: outlet.url, title: outlet.title, ...(name ? { outlet: name } : {}), tags: [...new Set(tags)] });
      // A profile exported by /opml/outlets comes along, unless the config already has one for that outlet.
      const profileName = name ?? outlet.title;
      if (outlet.profile && !(raw.outlets && profileName in raw.outlets)) (raw.outlets ??= {})[profileName] = outlet.profile;
      known.add(outlet.url);
      added++;
    }
    const next = `${JSON.stringify(raw, null, 2)}\n`;
    parseConfigText(next, `${env.configPath} (after import)`);
    const temp = `${env.configPath}.${process.pid}.tmp`;
    writeFileSync(temp, next);
    renameSync(temp, env.configPath);
    process.stdout.write(
      `Added ${added} outlet(s) to ${env.configPath}, skipped ${skipped} already configured` +
        (newTopics.length ? `; new topics: ${newTopics.join(', ')} (edit their titles)` : '') +
        '. Reload a running server with SIGHUP or POST /api/reload.\n',
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`newsmerge opml:import: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
