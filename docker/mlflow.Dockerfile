# MLflow tracking server with the Postgres driver (the official image ships without psycopg2).
FROM ghcr.io/mlflow/mlflow:v2.17.2
RUN pip install --no-cache-dir psycopg2-binary==2.9.10
EXPOSE 5000
