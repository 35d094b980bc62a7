# The whole eimf command line (pipeline runner, trainers, model server) plus the Flink job jar it uploads.
# Build: docker build -f docker/pipeline.Dockerfile -t eimf/pipeline:0.1.0 .
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests install \
 && mvn -B -q -pl orchestration dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp orchestration/target/eimf-orchestration-*.jar /app/lib/ \
 && mkdir -p /app/flink-jobs/target /app/pipelines \
 && cp flink-jobs/target/eimf-flink-jobs-*-job.jar /app/flink-jobs/target/ \
 && cp orchestration/src/main/resources/pipelines/*.yaml /app/pipelines/

FROM eclipse-temurin:17.0.13_11-jre
# uid 9999 is the official Flink image's "flink" user: the JobManager writes prepare's output into the shared /data
# volume and the runner renames it, so both must own the files.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 9999 eimf && mkdir -p /data && chown eimf /data
COPY --from=build /app /app
COPY docker/eimf-entrypoint.sh /app/eimf
USER eimf
WORKDIR /data
ENV EIMF_ROOT=/app
ENTRYPOINT ["/app/eimf"]
CMD ["--help"]
