# Image for the Joined-up services (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY consent ./consent
COPY services ./services
COPY deploy/local ./deploy/local
# The package carries its configuration defaults (services/config/defaults); a
# deployment mounts its own files and sets JOINEDUP_CONFIG_DIR to their folder.
# `joinedup broker security-init` renders the broker's configuration from the local
# broker's templates: they are put where the installed package looks for them.
# /security is the mount point of the compose file's `security` volume, which takes
# this directory's owner and mode when first mounted: nobody may write it, no one else
# read it (every container runs as nobody, uid 65534).
RUN pip install --no-cache-dir . \
 && templates="$(cd / && python -c 'from services.broker.storage import DEPLOY_DIR; print(DEPLOY_DIR)')" \
 && mkdir -p "$templates" \
 && cp deploy/local/*.properties "$templates"/ \
 && mkdir -m 0700 /security \
 && chown nobody:nogroup /security
USER nobody
ENTRYPOINT []
