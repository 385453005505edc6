# madblog as a container: one compiled binary on slim Debian.
#   docker build -t madblog --build-arg VERSION=$(bun -p "require('./package.json').version") --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run -d -p 5000:5000 -v madblog-data:/data madblog        (or: docker compose up -d, with compose.yaml)

# Build stage: the official Bun image, pinned to the project's Bun (package.json "packageManager").
FROM oven/bun:1.4.5 AS build
WORKDIR /src
# Dependencies first, so editing the sources does not re-run the install.
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile --production
COPY tsconfig.json ./
COPY scripts/build.ts scripts/build.ts
COPY drizzle drizzle
COPY src src
RUN bun run build && ./dist/madblog --version

# Run stage: the binary is linked against glibc (libc, libm, libpthread, libdl), so slim Debian, not distroless/static.
FROM debian:bookworm-slim
# package.json's version and the commit, given by the builder: `--build-arg VERSION=... --build-arg REVISION=...`.
ARG VERSION=unknown
ARG REVISION=unknown
LABEL org.opencontainers.image.title="madblog" \
      org.opencontainers.image.description="The madblog blog backend: accounts and tokens over REST (/api) and GraphQL (/graphql), on SQLite" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.documentation="/swagger (OpenAPI) and /graphql (GraphiQL) on the running service" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
# A fixed uid/gid, so a bind-mounted /data can be chowned to it from the host.
RUN groupadd --system --gid 10001 madblog \
 && useradd --system --uid 10001 --gid madblog --home-dir /data --no-create-home --shell /usr/sbin/nologin madblog \
 && mkdir /data && chown madblog:madblog /data
COPY --from=build /src/dist/madblog /usr/local/bin/madblog
# Numeric, so that orchestrators can tell it is not root (Kubernetes runAsNonRoot).
USER 10001:10001
WORKDIR /data
ENV DATABASE_URL=/data/madblog.db HOST=0.0.0.0 PORT=5000
# Declared after the chown: a new named volume starts as a copy of this folder, owned by madblog.
VOLUME ["/data"]
EXPOSE 5000
# The image has no curl: the binary checks itself (GET /readyz on $PORT: the database answers, exit 0 or 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["madblog", "healthcheck"]
# Exec form: madblog is PID 1 and gets SIGTERM itself; its handler drains requests and closes the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["madblog"]
CMD ["serve"]
