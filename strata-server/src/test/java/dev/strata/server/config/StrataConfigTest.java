package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.tier.metadata.jdbc.JdbcUrl;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrataConfigTest {
    @Test
    void defaults_runEverythingEmbedded() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of());

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.database().url()).isEqualTo(new JdbcUrl("jdbc:sqlite:data/strata.db", SqlDialect.SQLITE));
        assertThat(config.database().poolSize()).isEqualTo(4);
        assertThat(config.content()).isEqualTo(new ContentBackend.LocalDirectory(Path.of("data/objects")));
        assertThat(config.cache()).isEqualTo(new CacheBackend.Memory(256L << 20, Duration.ofDays(7)));
        assertThat(config.dropTypes()).isEqualTo(Set.of("log", "status"));
        assertThat(config.maxBodyBytes()).isEqualTo(32L << 20);
        assertThat(config.maxInflightBodyBytes()).isEqualTo(256L << 20);
        assertThat(config.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void bodyLimits_areValidatedTogether() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of(
                "STRATA_MAX_BODY_BYTES",
                "1048576",
                "STRATA_MAX_INFLIGHT_BODY_BYTES",
                "2097152",
                "STRATA_BODY_TIMEOUT",
                "5s"));
        assertThat(config.maxInflightBodyBytes()).isEqualTo(2L << 20);
        assertThat(config.bodyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_MAX_BODY_BYTES", "209715200"))
                        .maxInflightBodyBytes())
                .as("default budget grows to fit two of the largest bodies")
                .isEqualTo(400L << 20);

        Map<Map<String, String>, String> cases = Map.of(
                Map.of("STRATA_MAX_BODY_BYTES", "1048576", "STRATA_MAX_INFLIGHT_BODY_BYTES", "1048576"),
                "STRATA_MAX_INFLIGHT_BODY_BYTES must be from 2097152 to 9223372036854775807, got 1048576",
                Map.of("STRATA_MAX_INFLIGHT_BODY_BYTES", "lots"),
                "STRATA_MAX_INFLIGHT_BODY_BYTES must be an integer, got 'lots'",
                Map.of("STRATA_BODY_TIMEOUT", "0s"),
                "STRATA_BODY_TIMEOUT must be longer than 0, got '0s'",
                Map.of("STRATA_BODY_TIMEOUT", "soon"),
                "STRATA_BODY_TIMEOUT must be a duration like 250ms, 45s, 30m, 12h or 7d, got 'soon'");
        cases.forEach((env, message) -> assertThatThrownBy(() -> StrataConfig.fromEnvironment(env))
                .as(env.toString())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message));
    }

    @Test
    void invalidValues_nameTheVariable() {
        Map<Map<String, String>, String> cases = Map.of(
                Map.of("STRATA_PORT", "eighty"), "STRATA_PORT must be an integer, got 'eighty'",
                Map.of("STRATA_PORT", "70000"), "STRATA_PORT must be from 0 to 65535, got 70000",
                Map.of("STRATA_DB_URL", "jdbc:mysql://x"),
                        "STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got 'jdbc:mysql://x'",
                Map.of("STRATA_CONTENT_URL", "ftp://x"),
                        "STRATA_CONTENT_URL must be file:<directory> or s3://<bucket>[/<prefix>], got 'ftp://x'",
                Map.of("STRATA_CACHE_URL", "memcached://x"),
                        "STRATA_CACHE_URL must be memory, none or redis://host:port[/db], got 'memcached://x'",
                Map.of("STRATA_CACHE_TTL", "a week"),
                        "STRATA_CACHE_TTL must be a duration like 250ms, 45s, 30m, 12h or 7d, got 'a week'",
                Map.of("STRATA_MAX_BODY_BYTES", "12"), "STRATA_MAX_BODY_BYTES must be from 1024 to 2147483639, got 12",
                Map.of("STRATA_S3_ACCESS_KEY_ID", "AKIA"),
                        "STRATA_S3_ACCESS_KEY_ID and STRATA_S3_SECRET_ACCESS_KEY must be set together");
        cases.forEach((env, message) -> assertThatThrownBy(() -> StrataConfig.fromEnvironment(env))
                .as(env.toString())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message));
    }

    @Test
    void dropTypes_andDurations_parse() {
        StrataConfig config =
                StrataConfig.fromEnvironment(Map.of("STRATA_DROP_TYPES", " log , debug ,", "STRATA_CACHE_TTL", "90m"));

        assertThat(config.dropTypes()).isEqualTo(Set.of("log", "debug"));
        assertThat(config.cache()).isEqualTo(new CacheBackend.Memory(256L << 20, Duration.ofMinutes(90)));
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_DROP_TYPES", "")).dropTypes())
                .isEqualTo(Set.of("log", "status"));
    }

    @Test
    void secrets_neverAppearInToString() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_PASSWORD",
                "hunter2",
                "STRATA_S3_ACCESS_KEY_ID",
                "AKIAEXAMPLE",
                "STRATA_S3_SECRET_ACCESS_KEY",
                "s3cr3t"));

        assertThat(config.toString())
                .doesNotContain("hunter2")
                .doesNotContain("s3cr3t")
                .contains("***");
    }

    @Test
    void credentialsInUrlSettings_neverAppearInToStringOrErrors() {
        // Defect 7: the startup line printed STRATA_CACHE_URL and STRATA_DB_URL as given.
        StrataConfig config = StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL",
                "jdbc:postgresql://strata:pgpass1@db:5432/strata?sslpassword=pgpass2&password=pgpass3",
                "STRATA_CACHE_URL",
                "redis://:redispass@cache:6379/0",
                "STRATA_CONTENT_URL",
                "s3://bucket/prefix",
                "STRATA_S3_ENDPOINT",
                "https://minio:miniopass@minio.internal:9000",
                "STRATA_S3_ACCESS_KEY_ID",
                "AKIAEXAMPLE",
                "STRATA_S3_SECRET_ACCESS_KEY",
                "s3pass"));

        assertThat(config.toString())
                .doesNotContain("pgpass1", "pgpass2", "pgpass3", "redispass", "miniopass", "s3pass")
                .contains(
                        "jdbc:postgresql://strata:***@db:5432/strata?sslpassword=***&password=***",
                        "redis://:***@cache:6379/0",
                        "endpoint=https://minio:***@minio.internal:9000",
                        "s3://bucket/prefix");
        assertThatThrownBy(() -> StrataConfig.fromEnvironment(Map.of("STRATA_CACHE_URL", "memcached://u:cachepass@x")))
                .hasMessageNotContaining("cachepass");
        assertThatThrownBy(() ->
                        StrataConfig.fromEnvironment(Map.of("STRATA_DB_URL", "jdbc:mysql://x/db?password=dbpass")))
                .hasMessageNotContaining("dbpass");
    }
}
