# The proxy for deploy/compose.yaml: Debian's nginx with the brotli modules, the config `make serve-team` uses, and
# the precompressed copy of Streamlit's static files and the app's (deploy/precompress.py), made at build time from
# the same pinned Streamlit as the app's image.
FROM python:3.11-slim-bookworm AS assets
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir $(grep -E '^(streamlit|brotli|fonttools)==' requirements.txt)
COPY deploy ./deploy
COPY dashboard ./dashboard
COPY data ./data
RUN python -m deploy.precompress /www

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx libnginx-mod-http-brotli-filter \
    libnginx-mod-http-brotli-static && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/nginx/team \
    && chown www-data /var/lib/nginx/team
COPY --from=assets /www /var/lib/nginx/team/www
COPY deploy/nginx.compose.conf /etc/nginx/team.conf
EXPOSE 8080
CMD ["nginx", "-p", "/var/lib/nginx/team", "-c", "/etc/nginx/team.conf", "-g", "daemon off;"]
