import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, formatIssues } from './load-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  NEWSMERGE_DATA: z.string().min(1).default('./data'),
  NEWSMERGE_CONFIG: z.string().min(1).default('./feeds.config.json'),
  NEWSMERGE_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an absolute http(s) URL')
    .optional(),
  NEWSMERGE_ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  NEWSMERGE_INGEST_MAX_HEAP_MB: z.coerce.number().int().min(16).optional(),
});

/** Process settings from the environment, validated once at start-up. */
export interface Env {
  port: number;
  host: string;
  dataDir: string;
  configPath: string;
  /** Absolute base URL for self links, always ending in "/". */
  baseUrl: string;
  adminToken: string | null;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Starting heap limit of the ingest thread (MB); null: the default (PollWorker). */
  ingestMaxHeapMb: number | null;
}

/** Parses the environment (process.env by default); throws ConfigError naming the bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const clean = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(clean);
  if (!result.success) throw new ConfigError(`Invalid environment:\n${formatIssues(result.error.issues)}`);
  const env = result.data;
  const base = env.NEWSMERGE_BASE_URL ?? `http://localhost:${env.PORT}/`;
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: resolve(env.NEWSMERGE_DATA),
    configPath: resolve(env.NEWSMERGE_CONFIG),
    baseUrl: base.endsWith('/') ? base : `${base}/`,
    adminToken: env.NEWSMERGE_ADMIN_TOKEN ?? null,
    logLevel: env.LOG_LEVEL,
    ingestMaxHeapMb: env.NEWSMERGE_INGEST_MAX_HEAP_MB ?? null,
  };
}
