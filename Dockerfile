# Dockside in a container (see docker-compose.yml). Not built by CI: no registry is reachable there.
FROM node:20-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.12-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DOCKSIDE_DATA_DIR=/data
COPY pyproject.toml README.md manage.py ./
COPY dashboard ./dashboard
COPY audit ./audit
COPY containers_app ./containers_app
COPY templates ./templates
COPY static ./static
COPY --from=vendor /build/node_modules/@xterm/xterm/lib/xterm.js /build/node_modules/@xterm/xterm/lib/xterm.js.map /build/node_modules/@xterm/xterm/css/xterm.css /build/node_modules/@xterm/addon-fit/lib/addon-fit.js /build/node_modules/@xterm/addon-fit/lib/addon-fit.js.map ./static/vendor/xterm/
COPY --from=vendor /build/node_modules/@fontsource/dejavu-mono/400.css /build/node_modules/@fontsource/dejavu-mono/700.css /build/node_modules/@fontsource/dejavu-mono/LICENSE ./static/vendor/dejavu-mono/
COPY --from=vendor /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff2 /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-700-normal.woff2 /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-700-normal.woff ./static/vendor/dejavu-mono/files/
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py setup_hint && exec daphne --bind 0.0.0.0 --port 8000 dashboard.asgi:application"]
