package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.content.s3.S3Settings;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each backend URL form, valid and invalid, as {@link StrataConfig#fromEnvironment} parses it. */
class BackendUrlsTest {
    private static final S3Settings S3 = new S3Settings(
            Optional.of("http://127.0.0.1:9000"),
            "us-east-1",
            Optional.of("AKIA"),
            Optional.of("s3cr3t"),
            true,
            8,
            Duration.ofSeconds(3));

    @Test
    void contentUrl_parsesADirectoryOrABucket() {
        assertThat(ContentBackend.parse("file:/var/strata/objects", S3))
                .isEqualTo(new ContentBackend.LocalDirectory(Path.of("/var/strata/objects")));
        assertThat(ContentBackend.parse("s3://bucket", S3))
                .isEqualTo(new ContentBackend.S3(new S3Location("bucket", ""), S3));
        assertThat(ContentBackend.parse("s3://bucket/deployment/a", S3))
                .isEqualTo(new ContentBackend.S3(new S3Location("bucket", "deployment/a/"), S3));
    }

    @Test
    void contentUrl_invalidForms_nameTheVariable() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("ftp://x", "STRATA_CONTENT_URL must be file:<directory> or s3://<bucket>[/<prefix>], got 'ftp://x'");
        cases.put(
                "https://u:pw@host/x",
                "STRATA_CONTENT_URL must be file:<directory> or s3://<bucket>[/<prefix>], got 'https://u:***@host/x'");
        cases.put("file:", "STRATA_CONTENT_URL names no directory or bucket: 'file:'");
        cases.put("s3://", "STRATA_CONTENT_URL names no directory or bucket: 's3://'");
        cases.put("s3://Bad_Bucket", "STRATA_CONTENT_URL: invalid bucket name 'Bad_Bucket'");
        cases.put("s3://bucket/a/../b", "STRATA_CONTENT_URL: invalid key prefix 'a/../b/'");
        cases.forEach((url, message) -> assertThatThrownBy(
                        () -> StrataConfig.fromEnvironment(Map.of("STRATA_CONTENT_URL", url)))
                .as(url)
                .isInstanceOf(ConfigException.class)
                .hasMessage(message));
    }

    @Test
    void s3Content_carriesTheS3Settings_withoutSecretsInToString() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of(
                "STRATA_CONTENT_URL", "s3://bucket/p",
                "STRATA_S3_ENDPOINT", "http://127.0.0.1:9000",
                "STRATA_S3_ACCESS_KEY_ID", "AKIA",
                "STRATA_S3_SECRET_ACCESS_KEY", "s3cr3t",
                "STRATA_S3_PATH_STYLE", "true",
                "STRATA_S3_MAX_CONNECTIONS", "8",
                "STRATA_S3_TIMEOUT", "3s"));

        assertThat(config.content()).isEqualTo(new ContentBackend.S3(new S3Location("bucket", "p/"), S3));
        assertThat(config.content().toString())
                .contains("s3://bucket/p/", "accessKeyId=AKIA")
                .doesNotContain("s3cr3t");
    }

    @Test
    void cacheUrl_parsesEachForm() {
        Duration ttl = Duration.ofHours(1);
        Duration timeout = Duration.ofMillis(100);

        assertThat(CacheBackend.parse("none", 1 << 20, "p:", ttl, timeout)).isEqualTo(new CacheBackend.None());
        assertThat(CacheBackend.parse("memory", 1 << 20, "p:", ttl, timeout))
                .isEqualTo(new CacheBackend.Memory(1 << 20, ttl));
        assertThat(CacheBackend.parse("redis://cache:6379/1", 1 << 20, "p:", ttl, timeout))
                .isEqualTo(new CacheBackend.Redis("redis://cache:6379/1", "p:", ttl, timeout));
        assertThat(CacheBackend.parse("rediss://:pw@cache:6380", 1 << 20, "p:", ttl, timeout))
                .isEqualTo(new CacheBackend.Redis("rediss://:pw@cache:6380", "p:", ttl, timeout));
    }

    @Test
    void cacheUrl_fromEnvironment_readsItsCompanionVariables() {
        StrataConfig config = StrataConfig.fromEnvironment(Map.of(
                "STRATA_CACHE_URL", "redis://:redispass@cache:6379/0",
                "STRATA_CACHE_PREFIX", "deployment-a:",
                "STRATA_CACHE_TTL", "1h",
                "STRATA_CACHE_TIMEOUT", "100ms"));

        assertThat(config.cache())
                .isEqualTo(new CacheBackend.Redis(
                        "redis://:redispass@cache:6379/0",
                        "deployment-a:",
                        Duration.ofHours(1),
                        Duration.ofMillis(100)));
        assertThat(config.cache().toString())
                .contains("redis://:***@cache:6379/0")
                .doesNotContain("redispass");
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_CACHE_URL", "none"))
                        .cache())
                .isEqualTo(new CacheBackend.None());
    }

    @Test
    void cacheUrl_invalidForms_nameTheVariable() {
        for (String url : new String[] {"memcached://x", "Memory", "redis:/cache"}) {
            assertThatThrownBy(() -> StrataConfig.fromEnvironment(Map.of("STRATA_CACHE_URL", url)))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("STRATA_CACHE_URL must be memory, none or redis://host:port[/db], got '" + url + "'");
        }
    }

    @Test
    void dbUrl_decidesTheDialectAndItsDefaultPoolSize() {
        StrataConfig postgres = StrataConfig.fromEnvironment(
                Map.of("STRATA_DB_URL", "jdbc:postgresql://db/strata", "STRATA_DB_USER", "strata"));

        assertThat(postgres.database().dialect()).isEqualTo(SqlDialect.POSTGRESQL);
        assertThat(postgres.database().url().value()).isEqualTo("jdbc:postgresql://db/strata");
        assertThat(postgres.database().user()).contains("strata");
        assertThat(postgres.database().poolSize()).isEqualTo(10);
        StrataConfig sqlite = StrataConfig.fromEnvironment(
                Map.of("STRATA_DB_URL", "jdbc:sqlite:/tmp/x.db", "STRATA_DB_POOL_SIZE", "2"));
        assertThat(sqlite.database().dialect()).isEqualTo(SqlDialect.SQLITE);
        assertThat(sqlite.database().poolSize()).isEqualTo(2);
    }

    @Test
    void dbUrl_invalidForms_nameTheVariable_andHideThePassword() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(
                "jdbc:mysql://x",
                "STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got 'jdbc:mysql://x'");
        cases.put(
                "postgresql://u:pw@db/strata",
                "STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got 'postgresql://u:***@db/strata'");
        cases.put("sqlite:x.db", "STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got 'sqlite:x.db'");
        cases.forEach(
                (url, message) -> assertThatThrownBy(() -> StrataConfig.fromEnvironment(Map.of("STRATA_DB_URL", url)))
                        .as(url)
                        .isInstanceOf(ConfigException.class)
                        .hasMessage(message));
    }
}
