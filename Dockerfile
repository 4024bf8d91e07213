# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, ship production dependencies only, run as non-root.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and other native addons build from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm install, not npm ci: chdb's other-platform packages are missing from the lockfile (see .ci/run).
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY agents ./agents
COPY tools ./tools
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0 AIOPS_DATA_DIR=/var/lib/aiops
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root prompts ./prompts
# The web console's static files, served at /ui (read into memory at start).
COPY --chown=root:root ui ./ui
RUN mkdir -p /var/lib/aiops && chown node:node /var/lib/aiops
USER node
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/server.js"]
