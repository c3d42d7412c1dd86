# Image for the Joined-up services (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY consent ./consent
COPY services ./services
COPY deploy ./deploy
RUN pip install --no-cache-dir .
USER nobody
ENTRYPOINT []
