# One image for the api, worker and simulator; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
RUN npm install -g pnpm@10.34.8
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# Every workspace member's manifest (pnpm-workspace.yaml: apps/*, packages/*, examples, bench).
COPY apps/api/package.json apps/api/
COPY apps/chaos/package.json apps/chaos/
COPY apps/cli/package.json apps/cli/
COPY apps/simulator/package.json apps/simulator/
COPY apps/stack/package.json apps/stack/
COPY apps/test-stack/package.json apps/test-stack/
COPY apps/tracing/package.json apps/tracing/
COPY apps/worker/package.json apps/worker/
COPY packages/aimlapi/package.json packages/aimlapi/
COPY packages/bulk/package.json packages/bulk/
COPY packages/client/package.json packages/client/
COPY packages/core/package.json packages/core/
COPY packages/provider-schemas/package.json packages/provider-schemas/
COPY packages/redis-server/package.json packages/redis-server/
COPY packages/safe-http/package.json packages/safe-http/
COPY packages/storage/package.json packages/storage/
COPY packages/telemetry/package.json packages/telemetry/
COPY packages/testkit/package.json packages/testkit/
COPY packages/webhooks/package.json packages/webhooks/
COPY bench/package.json bench/
COPY examples/package.json examples/
RUN pnpm install --frozen-lockfile
COPY . .
# CI=true: dropping the devDependencies purges node_modules, which pnpm refuses to do without a TTY
# (ERR_PNPM_ABORTED_REMOVE_MODULES_DIR_NO_TTY) unless told it runs unattended.
RUN pnpm build && CI=true pnpm install --frozen-lockfile --prod

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000
# Default: the API. The worker runs `node apps/worker/dist/main.mjs`, the simulator `node apps/simulator/dist/main.mjs`.
CMD ["node", "apps/api/dist/main.mjs"]
