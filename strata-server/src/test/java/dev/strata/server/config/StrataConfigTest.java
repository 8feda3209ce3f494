package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrataConfigTest {
    @Test
    void defaults_runEverythingEmbedded() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of());

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dbUrl()).isEqualTo("jdbc:sqlite:data/strata.db");
        assertThat(config.contentUrl()).isEqualTo("file:data/objects");
        assertThat(config.cacheUrl()).isEqualTo("memory");
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(config.dropTypes()).isEqualTo(Set.of("log", "status"));
        assertThat(config.maxBodyBytes()).isEqualTo(32L << 20);
    }

    @Test
    void invalidValues_nameTheVariable() {
        Map<Map<String, String>, String> cases = Map.of(
                Map.of("STRATA_PORT", "eighty"), "STRATA_PORT must be an integer, got 'eighty'",
                Map.of("STRATA_PORT", "70000"), "STRATA_PORT must be from 0 to 65535, got 70000",
                Map.of("STRATA_DB_URL", "jdbc:mysql://x"), "STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got 'jdbc:mysql://x'",
                Map.of("STRATA_CONTENT_URL", "ftp://x"), "STRATA_CONTENT_URL must be file:<directory> or s3://<bucket>[/<prefix>], got 'ftp://x'",
                Map.of("STRATA_CACHE_URL", "memcached://x"), "STRATA_CACHE_URL must be memory, none or redis://host:port[/db], got 'memcached://x'",
                Map.of("STRATA_CACHE_TTL", "a week"), "STRATA_CACHE_TTL must be a duration like 250ms, 45s, 30m, 12h or 7d, got 'a week'",
                Map.of("STRATA_MAX_BODY_BYTES", "12"), "STRATA_MAX_BODY_BYTES must be from 1024 to 2147483639, got 12",
                Map.of("STRATA_S3_ACCESS_KEY_ID", "AKIA"), "STRATA_S3_ACCESS_KEY_ID and STRATA_S3_SECRET_ACCESS_KEY must be set together");
        cases.forEach((env, message) -> assertThatThrownBy(() -> StrataConfig.fromEnvironment(env))
                .as(env.toString())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message));
    }

    @Test
    void dropTypes_andDurations_parse() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of("STRATA_DROP_TYPES", " log , debug ,", "STRATA_CACHE_TTL", "90m"));

        assertThat(config.dropTypes()).isEqualTo(Set.of("log", "debug"));
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_DROP_TYPES", "")).dropTypes()).isEqualTo(Set.of("log", "status"));
    }

    @Test
    void secrets_neverAppearInToString() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of("STRATA_DB_PASSWORD", "hunter2",
                "STRATA_S3_ACCESS_KEY_ID", "AKIAEXAMPLE", "STRATA_S3_SECRET_ACCESS_KEY", "s3cr3t"));

        assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("s3cr3t").contains("***");
    }
}
