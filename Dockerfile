# The Ballast keeper as a container: Node 22 slim, the compiled keeper and its four runtime packages only,
# a non-root user, a health check on /health. The key comes only from the environment
# (KEEPER_PRIVATE_KEY) or from a mounted secret file (KEEPER_PRIVATE_KEY_FILE, e.g. /run/secrets/keeper_key);
# nothing secret is baked in. Configuration: KEEPER_* variables (.env.example lists every one). State (the
# checkpoint) lives in the /data volume. docs/KEEPER.md, "Deploying".
#
#   docker build -t ballast-keeper .
#   docker run --env-file keeper.env -v keeper-data:/data -p 9464:9464 ballast-keeper
#
# test/e2e/runtime.test.ts runs this file's runtime-stage commands in a scratch directory (npm ci, the
# entrypoint's --help, a dry run against a local node).

# Build stage: a full install (TypeScript), the keeper compiled to plain JavaScript (dist/keeper).
FROM node:22-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.keeper.json ./
COPY scripts ./scripts
RUN npm run build:keeper

# Runtime stage: the keeper's runtime dependencies only (ethers, pino, prom-client, zod).
FROM node:22-slim
ENV NODE_ENV=production \
    KEEPER_CHECKPOINT=/data/keeper-checkpoint.json \
    KEEPER_METRICS_HOST=0.0.0.0 \
    KEEPER_METRICS_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/keeper ./dist/keeper
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.KEEPER_METRICS_PORT || 9464}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop): in-flight transactions finished or abandoned within shutdownTimeoutSeconds, the
# checkpoint written, exit 0. Give it that long: docker stop --time 45.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/keeper/keeper.js"]
