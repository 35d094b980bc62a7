# The EIMF llm-service: interest extraction and embeddings over HTTP, in front of Ollama/OpenAI/GGUF.
# Build: docker build -f docker/llm-service.Dockerfile -t eimf/llm-service:0.1.0 .
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY core core
COPY llm-service llm-service
# Only core and llm-service are built; the reactor's other modules are left out of this image.
RUN mvn -B -q -pl core,llm-service -am -DskipTests install \
 && mvn -B -q -pl llm-service dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp llm-service/target/eimf-llm-service-*.jar /app/lib/

FROM eclipse-temurin:17.0.13_11-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 eimf && mkdir -p /cache && chown eimf /cache
COPY --from=build /app/lib /app/lib
USER eimf
EXPOSE 8090
ENTRYPOINT ["java", "-Xmx2g", "-cp", "/app/lib/*", "io.eimf.core.cli.Eimf"]
CMD ["llm-service", "--host", "0.0.0.0", "--port", "8090"]
