# syntax=docker/dockerfile:1
# One image definition for every service; the build arguments say which one. Build from the
# repository root (the build needs the parent pom and the sibling modules):
#
#   docker build --build-arg SERVICE=playlist-service --build-arg PORT=8083 -t affectune/playlist-service .
#   docker build --build-arg SERVICE=emotion-service  --build-arg PORT=8082 \
#                --build-arg SERVICE_JAVA_OPTS=-XX:ThreadPriorityPolicy=1  -t affectune/emotion-service .
#   docker build --build-arg SERVICE=camera-service   --build-arg PORT=8081 -t affectune/camera-service .
#   docker build --build-arg SERVICE=gateway          --build-arg PORT=8080 \
#                --build-arg HEALTHCHECK_PATH=/actuator/health/readiness   -t affectune/gateway .
#
# docker compose (docker-compose.yml at the root) does this for you. Needs BuildKit (RUN --mount):
# the default of docker build since Docker 23 and of Compose v2; with docker-compose 1.x set
# COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1.
#
# Build arguments:
#   SERVICE        the Maven module to package (required)
#   PORT           its HTTP port: SERVER_PORT, EXPOSE and the health check (required)
#   HEALTHCHECK_PATH  what the HEALTHCHECK asks [/actuator/health]; the gateway uses
#                  /actuator/health/readiness, since its overall health includes the services behind
#                  it and the gateway itself is fine (answering 503 problems) while one of them is away
#   DEFAULT_MODEL  emotion model that must be in the image of emotion-service / camera-service
#                  [effnetb3-fer2013-int8]
#   SERVICE_JAVA_OPTS  JVM options of this service only, added to JAVA_OPTS below [empty]; emotion-service
#                  gets -XX:ThreadPriorityPolicy=1, without which the JVM ignores thread priorities on
#                  Linux: its streams' label refreshes run on inference threads of the lowest priority
#                  (emotion-service README, "Lanes"). As the unprivileged user the JVM warns at start that
#                  raising a priority may need permission: only lowering is used, and that needs none.
#   JDK_IMAGE / JRE_IMAGE  base images of the build and the runtime stage

ARG JDK_IMAGE=eclipse-temurin:17-jdk-noble
ARG JRE_IMAGE=eclipse-temurin:17-jre-noble

# ---- build: Maven (pinned by ./mvnw) ------------------------------------------------------------
FROM ${JDK_IMAGE} AS build
ARG SERVICE
ARG PORT
RUN if [ -z "${SERVICE}" ] || [ -z "${PORT}" ]; then \
      echo "build with --build-arg SERVICE=<module> --build-arg PORT=<port> (see the head of the Dockerfile)" >&2; exit 1; \
    fi
WORKDIR /workspace
# The whole reactor: every module the service is built with (-am), whichever they are today; no
# module list to keep in step with the root pom. .dockerignore keeps build output, VCS data and
# training material out of the context.
COPY . .
# ~/.m2 (the dependencies and the Maven distribution of ./mvnw) is a BuildKit cache shared by every
# service's build and kept between builds, so a source change does not download anything again.
# The cache is not part of any layer. sharing=locked: compose builds the four images in parallel, and
# Maven's local repository is not safe for concurrent writers; the builds take turns at this step.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    if [ ! -f "${SERVICE}/pom.xml" ]; then echo "SERVICE=${SERVICE}: no ${SERVICE}/pom.xml in the build context" >&2; exit 1; fi \
 && sh ./mvnw -B -q -pl "${SERVICE}" -am -Dmaven.test.skip=true package \
 && java -Djarmode=tools -jar "${SERVICE}/target/${SERVICE}"-*.jar extract --layers --launcher --destination /workspace/layers

# The models the service reads at run time (/app/models), only in the images that read them:
#   emotion-service  every directory with a manifest (model.json), with its ONNX weights, plus the
#                    YuNet face detector (face-detection/)
#   camera-service   the same without the emotion models' weights: it reads only their manifests
#                    (face framing) and runs YuNet itself; the weights stay in emotion-service's image
#   anything else    none (the directory stays empty)
# The Java sources and the training pipeline never go in.
ARG DEFAULT_MODEL=effnetb3-fer2013-int8
RUN mkdir -p /workspace/runtime-models \
 && case "${SERVICE}" in \
      emotion-service|camera-service) \
        for dir in models/*/; do \
          if [ -f "${dir}model.json" ] || [ "${dir}" = models/face-detection/ ]; then cp -r "${dir}" /workspace/runtime-models/; fi; \
        done; \
        if [ ! -f "/workspace/runtime-models/${DEFAULT_MODEL}/model.json" ]; then \
          echo "models/${DEFAULT_MODEL}/model.json is missing: the image would have no emotion model" >&2; exit 1; \
        fi ;; \
    esac \
 && if [ "${SERVICE}" = camera-service ]; then \
      find /workspace/runtime-models -name '*.onnx' -not -path '*/face-detection/*' -delete; \
    fi

# ---- runtime: JRE only, non-root ---------------------------------------------------------------
FROM ${JRE_IMAGE}
# (the same layer in every service's image: the build arguments are declared after it)
RUN groupadd --system --gid 10001 affectune \
 && useradd --system --uid 10001 --gid affectune --home-dir /app --no-create-home --shell /usr/sbin/nologin affectune
WORKDIR /app
ARG SERVICE
ARG PORT
ARG HEALTHCHECK_PATH=/actuator/health
ARG SERVICE_JAVA_OPTS=""
LABEL org.opencontainers.image.title="affectune ${SERVICE}"
# Spring Boot layers, least often changing first, so that a code change ships only the last layer.
COPY --from=build /workspace/layers/dependencies/ ./
COPY --from=build /workspace/layers/spring-boot-loader/ ./
COPY --from=build /workspace/layers/snapshot-dependencies/ ./
COPY --from=build /workspace/layers/application/ ./
COPY --from=build /workspace/runtime-models/ /app/models/

# JVM memory from the container's memory limit (the JVM reads the cgroup limit): heap 40 % of it, the
# rest for what lives outside the heap (metaspace, code cache, thread stacks, direct buffers, ONNX
# Runtime and OpenCV native memory). With the 768 MiB limit of docker-compose.yml and deploy/k8s that
# is a 307 MiB heap. Resident memory measured under load with a fixed 256 MiB heap (the soak runs in the
# module READMEs): emotion-service 624 MiB, camera-service 517 MiB; 51 MiB more heap keeps both below
# 768 MB (about 675 and 570 MiB), and playlist-service and gateway carry no native libraries of that size.
# MaxMetaspaceSize: a class-loading leak ends in an error instead of unbounded native growth (a cap, not
# a size: a Spring Boot service normally stays far below 256m).
# ExitOnOutOfMemoryError: a JVM out of memory is broken; exit so the orchestrator restarts it.
# java.io.tmpdir must be writable: native libraries (Netty, ONNX Runtime, OpenCV) are unpacked there.
# JAVA_OPTS replaces all of this; to change one flag, repeat the others.
ENV SERVER_PORT=${PORT} \
    HEALTHCHECK_PATH=${HEALTHCHECK_PATH} \
    MODELS_DIR=/app/models \
    JAVA_OPTS="-XX:MaxRAMPercentage=40 -XX:InitialRAMPercentage=25 -XX:MaxMetaspaceSize=256m -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp ${SERVICE_JAVA_OPTS}"
USER 10001:10001
EXPOSE ${PORT}
# No curl needed: bash's /dev/tcp speaks just enough HTTP/1.0 to read the health endpoint.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=4 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT} && printf 'GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' \"${HEALTHCHECK_PATH}\" >&3 && timeout 4 grep -q '\"status\":\"UP\"' <&3"]
# exec: java is PID 1 and receives SIGTERM itself (Spring Boot shuts down gracefully).
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp /app org.springframework.boot.loader.launch.JarLauncher \"$@\"", "affectune"]
