# The loader container: skyloader built from these sources, run as a non-root user on a JRE 21.
#   docker build -t skyloader .
#   docker run --rm -v skyloader-state:/var/lib/skyloader -v /data/models:/data skyloader \
#       sync /data/update.json --out /data
# The state directory is a volume: a restarted container resumes where the last one stopped.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml ./
COPY domain domain
COPY application application
COPY adapters-http adapters-http
COPY adapters-s3 adapters-s3
COPY adapters-fs adapters-fs
COPY bootstrap bootstrap
RUN mvn -B -ntp -q -DskipTests -pl bootstrap -am package

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 skyloader \
    && useradd --system --uid 10001 --gid skyloader --home-dir /var/lib/skyloader --shell /usr/sbin/nologin skyloader \
    && mkdir -p /var/lib/skyloader /data \
    && chown skyloader:skyloader /var/lib/skyloader /data
COPY --from=build /src/bootstrap/target/skyloader.jar /opt/skyloader/skyloader.jar
COPY deploy/entrypoint.sh /opt/skyloader/entrypoint.sh
ENV SKYLOADER_STATE_DIR=/var/lib/skyloader
VOLUME ["/var/lib/skyloader"]
USER skyloader
WORKDIR /data
# docker stop sends it; skyloader stops the transfer, makes it durable and exits 75 well within the 10 s grace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/skyloader/entrypoint.sh"]
CMD ["--help"]
