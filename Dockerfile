# One image for the api, worker and simulator; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
RUN npm install -g pnpm@10.34.8
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/simulator/package.json apps/simulator/
COPY apps/stack/package.json apps/stack/
COPY packages/core/package.json packages/core/
COPY packages/aimlapi/package.json packages/aimlapi/
COPY packages/testkit/package.json packages/testkit/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm build && pnpm install --frozen-lockfile --prod

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000
# Default: the API. The worker runs `node apps/worker/dist/main.mjs`, the simulator `node apps/simulator/dist/main.mjs`.
CMD ["node", "apps/api/dist/main.mjs"]
