# The proxy for deploy/compose.yaml: Debian's nginx with the brotli filter, and the config `make serve-team` uses.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx libnginx-mod-http-brotli-filter \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/nginx/team && chown www-data /var/lib/nginx/team
COPY deploy/nginx.compose.conf /etc/nginx/team.conf
EXPOSE 8080
CMD ["nginx", "-p", "/var/lib/nginx/team", "-c", "/etc/nginx/team.conf", "-g", "daemon off;"]
