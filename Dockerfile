# Mirrors `make setup` step for step, then serves the app. One container per replica (see README, "Serving a team").
FROM python:3.11-slim-bookworm

# make + Debian's Chromium (for the briefing pack's image export; the app itself does not need it to run)
RUN apt-get update && apt-get install -y --no-install-recommends make chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt pyproject.toml Makefile ./
COPY dashboard ./dashboard
COPY data ./data
COPY .streamlit ./.streamlit

# `make setup`: python3 -m venv .venv; pip install --upgrade pip; pip install -r requirements.txt; touch stamp
RUN make setup

EXPOSE 8501
# Inside a container the server must listen on all interfaces; publish the port to 127.0.0.1 or a proxy only.
CMD ["make", "run", "ADDRESS=0.0.0.0", "PORT=8501"]
