# Image for the Joined-up services (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY consent ./consent
COPY services ./services
# The package carries its configuration defaults (services/config/defaults); a
# deployment mounts its own files and sets JOINEDUP_CONFIG_DIR to their folder.
RUN pip install --no-cache-dir .
USER nobody
ENTRYPOINT []
