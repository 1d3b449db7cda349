# newsmerge: one process, one volume (/app/data). See README "Run with Docker".
#   docker build -t newsmerge .
#   docker run -d --name newsmerge -p 3000:3000 -v newsmerge-data:/app/data newsmerge

# --- deps: every dependency, with better-sqlite3 compiled against this image's own Node headers -----------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
# node-gyp reads the headers the image ships in /usr/local/include/node instead of downloading them.
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Node 24.19+ headers make node::ObjectWrap's destructor remove an environment cleanup hook; compiled into
# better-sqlite3 12 (Statement, Database), that aborts the process whenever V8 collects a statement outside a
# JS context: "Assertion failed: (env) != nullptr" (nodejs/node#65446; 12 of 70 starts of one newsmerge
# revision died so here, 0 of 80 with this fix). This stage compiles against headers without the two calls,
# i.e. the ObjectWrap of Node <= 24.18 (same ABI). Remove once newsmerge uses better-sqlite3 13 (Node-API).
RUN sed -i -E 's/^([[:space:]]*)(Add|Remove)CleanupHook\(\);/\1\/\/ \2CleanupHook(); disabled, see Dockerfile/' \
      /usr/local/include/node/node_object_wrap.h
COPY package.json package-lock.json ./
# --foreground-scripts shows the native build in the log. The checks fail the build here, not at run time, if
# an npm that skips unapproved install scripts left better-sqlite3 without its binary, or if the binary still
# has the ObjectWrap cleanup hooks.
RUN npm ci --no-audit --no-fund --foreground-scripts \
 && node -e "new (require('better-sqlite3'))(':memory:').close()" \
 && if nm -D node_modules/better-sqlite3/build/Release/better_sqlite3.node | grep -E 'ObjectWrap11CleanupHook|RemoveEnvironmentCleanupHook'; then \
      echo "better-sqlite3 still has ObjectWrap cleanup hooks (see the sed above)" >&2; exit 1; fi

# --- build: TypeScript -> dist/ ------------------------------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: the same compiled node_modules minus devDependencies (cached until the lockfile changes) ----
# better-sqlite3 needs only build/Release/better_sqlite3.node at run time; its SQLite sources and object
# files (~25 MB) go. The last command proves the trimmed module still opens a database.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund \
 && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps build/Release/sqlite3.a \
      build/Release/test_extension.node build/deps build/Makefile build/*.mk \
 && cd /app \
 && test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node \
 && node -e "new (require('better-sqlite3'))(':memory:').close()"

# --- runtime -----------------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    NEWSMERGE_DATA=/app/data \
    NEWSMERGE_CONFIG=/app/feeds.config.json
# process.exit() waits for DNS lookups still running in libuv's thread pool, and glibc waits 5 s for each
# unanswered query (then retries): a stop in the middle of a poll took 4-5 s here, 1-2 s with 2 s per try.
# Set RES_OPTIONS= (empty) to get glibc's defaults back.
ENV RES_OPTIONS="timeout:2 attempts:2"
WORKDIR /app
# Code and default config stay root-owned (read-only to the server); only /app/data is the node user's.
COPY package.json feeds.config.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Ownership must be set before VOLUME: a new named volume is initialised from this directory.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data
EXPOSE 3000
# No curl in the image: node itself asks /healthz (200 = process alive and database readable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (src/main.ts stops within 2 s).
CMD ["node", "dist/main.js"]
