# The pipeline image: the `lamp` command, the dbt project and the Dagster code location.
# Used by docker-compose.yml for the Dagster webserver, the daemon and one-off `lamp` runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DAGSTER_HOME=/opt/dagster/home \
    LAMP_LAKE=/data/lake \
    LAMP_EXPORT_DIR=/data/exports \
    LAMP_INBOX=/data/inbox

WORKDIR /app

# Dependencies first (pinned by the lock file), so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir uv \
    && uv pip install --system --no-cache -r requirements.lock

COPY pyproject.toml setup.py README.md ./
COPY extract ./extract
COPY orchestration ./orchestration
COPY dbt_project ./dbt_project
COPY seeds ./seeds
RUN uv pip install --system --no-cache --no-deps -e . \
    && mkdir -p "$DAGSTER_HOME" /data \
    && cp orchestration/docker/dagster.yaml "$DAGSTER_HOME/dagster.yaml"

# Prepare the dbt manifest at build time so the code location loads fast (it is also prepared on load).
RUN cd dbt_project && dbt parse --profiles-dir .

EXPOSE 3000
CMD ["lamp", "--help"]
