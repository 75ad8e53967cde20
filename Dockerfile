# OpenCentra server image: `docker build -t opencentra .` (docs/operations.md).
# Build stage: install the package and its pinned dependencies into a virtualenv.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/opencentra
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN /opt/opencentra/bin/pip install .

# Runtime stage: the virtualenv only, run as an unprivileged user.
FROM python:3.11-slim
ENV PATH=/opt/opencentra/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OPENCENTRA_HOST=0.0.0.0 \
    OPENCENTRA_PORT=8000 \
    OPENCENTRA_DATABASE_URL=sqlite:////data/opencentra.db
RUN useradd --system --create-home --home-dir /home/opencentra opencentra \
    && mkdir /data && chown opencentra /data
COPY --from=build /opt/opencentra /opt/opencentra
USER opencentra
WORKDIR /home/opencentra
# SQLite's file when no PostgreSQL is given (one container only).
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('OPENCENTRA_PORT', '8000'), timeout=2)"]
# `serve` migrates first; with several containers run `opencentra migrate` once before (compose.yaml).
# SIGTERM lets uvicorn finish the requests in flight.
STOPSIGNAL SIGTERM
CMD ["opencentra", "serve"]
