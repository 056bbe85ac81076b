# The API image for docker-compose. The embedded PostgreSQL is not used here: DATABASE_URL points
# at the compose file's postgres service.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
# In a container the published port is the boundary: listen on every interface (HOST defaults to 127.0.0.1).
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
