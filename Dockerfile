# The twin's image for a sharded run (docker-compose.yml): the coordinator and every shard run from it.
# TypeScript runs through tsx, as everywhere in the twin, so there is no build step. See docs/scale-out.md.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .

USER node
# Each service of docker-compose.yml names its command; a bare `docker run` starts a shard configured by SMETS_* variables.
CMD ["node", "--import", "tsx", "scale/shard-main.ts"]
