# syntax=docker/dockerfile:1
# The API image (docs/operations.md §14): built in one stage, run from another holding only the
# compiled app and its production dependencies, as the unprivileged `node` user. PostgreSQL is
# not in it: DATABASE_URL names the server (docker-compose.yml runs one), and migrations run once,
# from the same image, before the API starts (`node dist/scripts/migrate.js`).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# In a container the published port is the boundary: listen on every interface (HOST defaults to 127.0.0.1).
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# Files are root's and read-only to the app; it runs as `node` (uid 1000) and writes nothing.
USER node
EXPOSE 3000
# Liveness (docs/operations.md §11): the process serves HTTP. Orchestrators route on /health/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
