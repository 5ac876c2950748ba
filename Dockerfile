# syntax=docker/dockerfile:1
# invited: a static binary on a distroless base, running as a non-root user.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# The Go client's module is required (replaced by its directory) by the tests.
COPY clients/go/go.mod clients/go/go.sum ./clients/go/
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/invited ./cmd/invited \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/invited /usr/local/bin/invited
# A writable home for the embedded SQLite database; production points DATABASE_URL at PostgreSQL.
COPY --from=build --chown=65532:65532 /out/data /data
ENV HTTP_ADDR=:8080 \
    DATABASE_URL=sqlite:/data/invited.db \
    LOG_FORMAT=json
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
# The image has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["/usr/local/bin/invited", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/invited"]
CMD ["serve"]
