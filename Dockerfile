FROM python:3.12-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DOCKSIDE_DATA_DIR=/data
COPY pyproject.toml README.md manage.py ./
COPY dashboard ./dashboard
COPY containers_app ./containers_app
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py setup_hint && exec daphne --bind 0.0.0.0 --port 8000 dashboard.asgi:application"]
