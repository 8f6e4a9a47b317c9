# Front-end packages from npm, pinned by package-lock.json.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango and HarfBuzz for WeasyPrint; with HarfBuzz's subsetter it embeds fonts without the slower fontTools fallback.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
RUN DEBUG=0 SECRET_KEY=build-only-not-used-at-runtime DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input -v 0
# var/evidence exists before the `evidence` volume mounts on it, so the volume starts out owned by the app user.
RUN useradd --system --uid 1000 app && mkdir -p /app/var/evidence && chown -R app /app/var
USER app
EXPOSE 8000
# gunicorn reads its worker count from WEB_CONCURRENCY.
ENV WEB_CONCURRENCY=3
# gunicorn.conf.py (read from /app) binds 0.0.0.0:8000 and sends its access log through the app's redaction.
CMD ["gunicorn", "config.wsgi"]
