# The API image for docker-compose. The embedded PostgreSQL is not used here: DATABASE_URL points
# at the compose file's postgres service.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
