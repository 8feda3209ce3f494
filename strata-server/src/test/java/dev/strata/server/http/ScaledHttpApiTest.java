package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestS3;
import dev.strata.testing.TestServices;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole API suite once more on the scale-out backends, configured only through environment
 * variables: PostgreSQL (own schema), S3 (S3Proxy, own bucket) and Redis (own key prefix).
 */
class ScaledHttpApiTest extends AbstractHttpApiTest {
    @TempDir
    static Path directory;

    private S3ProxyServer s3;
    private Map<String, String> environment;
    private String schema;
    private String bucket;
    private String prefix;
    private S3ContentTier listing;

    @Override
    protected Map<String, String> backendEnvironment() {
        if (environment == null) {
            s3 = new S3ProxyServer(directory);
            bucket = s3.createBucket("http");
            schema = TestServices.uniqueName("http");
            prefix = TestServices.uniqueName("http") + ":";
            environment = Map.of(
                    "STRATA_DB_URL",
                    TestServices.postgresUrl(schema),
                    "STRATA_CONTENT_URL",
                    "s3://" + bucket + "/strata",
                    "STRATA_S3_ENDPOINT",
                    s3.endpoint(),
                    "STRATA_S3_REGION",
                    "us-east-1",
                    "STRATA_S3_ACCESS_KEY_ID",
                    S3ProxyServer.ACCESS_KEY,
                    "STRATA_S3_SECRET_ACCESS_KEY",
                    S3ProxyServer.SECRET_KEY,
                    "STRATA_S3_PATH_STYLE",
                    "true",
                    "STRATA_S3_TIMEOUT",
                    "5s",
                    "STRATA_CACHE_URL",
                    TestServices.REDIS_URL,
                    "STRATA_CACHE_PREFIX",
                    prefix);
        }
        return environment;
    }

    @Override
    protected ListableContent contentListing() {
        if (listing == null) {
            listing = new S3ContentTier(S3Location.parse("s3://" + bucket + "/strata"), TestS3.settings(s3));
        }
        return listing;
    }

    @Override
    protected OptionalLong cacheEntries(String keyPrefix) {
        return OptionalLong.of(RedisKeys.count(prefix + keyPrefix));
    }

    @Override
    protected void cleanUp() {
        if (listing != null) {
            listing.close();
        }
        s3.close();
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(prefix);
    }

    @Test
    void objectStoreDown_appendIs503AndNothingChanges_thenTheSameRequestSucceeds() {
        String task = newTask();
        assertThat(append(task, batch(1, 2)).status())
                .as("append before the outage")
                .isEqualTo(200);
        String body = batch(3, 7);
        StoredState before = stored();
        s3.stop();
        ApiClient.Response during;
        ApiClient.Response ready;
        try {
            during = append(task, body);
            ready = api.get("/readyz").send();
        } finally {
            s3.start();
        }

        assertThat(during.status()).isEqualTo(503);
        assertThat(during.error()).startsWith("service unavailable");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().get("content").asText()).isEqualTo("down");
        assertThat(before.changesTo(stored()))
                .as("the append refused with 503 changed what is stored")
                .isEmpty();
        assertThat(seqs(read(task, "?exclude_types=")))
                .as("messages after the outage")
                .containsExactly(1L, 2L);
        var after = append(task, body);
        assertThat(after.status())
                .as("the same append retried after the outage")
                .isEqualTo(200);
        assertThat(after.json().get("accepted").asInt())
                .as("accepted by the retried append")
                .isEqualTo(5);
        assertThat(read(task, "?exclude_types=").json()).hasSize(7);
    }

    @Test
    void readiness_reportsTheRedisCache() {
        var ready = api.get("/readyz").send();
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("cache").asText()).isEqualTo("up");
    }
}
