package dev.strata.tier.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.testing.RedisKeys;
import dev.strata.testing.SilentServer;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache contract on the machine's Redis server, under a key prefix of its own. */
class RedisSegmentCacheTest extends AbstractSegmentCacheContractTest {
    private final String prefix = TestServices.uniqueName("cache") + ":";

    @Override
    protected SegmentCache open() {
        return new RedisSegmentCache(
                TestServices.REDIS_URL, prefix, Duration.ofMinutes(5), Duration.ofSeconds(2), 1 << 20);
    }

    @Override
    protected void cleanUp() {
        RedisKeys.deleteAll(prefix);
    }

    @Test
    void entries_carryTheTtlAndThePrefix() {
        cache.put("tasks/a/1.seg", new byte[] {1});

        RedisClient client = RedisClient.create(TestServices.REDIS_URL);
        try (var connection = client.connect()) {
            long ttl = connection.sync().ttl(prefix + "tasks/a/1.seg");
            assertThat(ttl).isBetween(1L, 300L);
        } finally {
            client.shutdown();
        }
        assertThat(RedisKeys.count(prefix)).isEqualTo(1);
    }

    @Test
    void put_skipsValuesAboveTheCap() {
        cache.put("tasks/big/1.seg", new byte[(1 << 20) + 1]);

        assertThat(cache.getAll(List.of("tasks/big/1.seg"))).isEmpty();
    }

    @Test
    void putAll_skipsValuesAboveTheCap_andStoresTheRest() {
        cache.putAll(java.util.Map.of("tasks/big/1.seg", new byte[(1 << 20) + 1], "tasks/small/1.seg", new byte[] {3}));

        assertThat(cache.getAll(List.of("tasks/big/1.seg", "tasks/small/1.seg")))
                .containsOnlyKeys("tasks/small/1.seg");
        assertThat(RedisKeys.count(prefix)).isEqualTo(1);
    }

    @Test
    void check_failsWhenTheServerNeverAnswers() throws Exception {
        try (SilentServer hung = new SilentServer()) {
            RedisSegmentCache silent = new RedisSegmentCache(
                    hung.redisUrl(), prefix, Duration.ofMinutes(5), Duration.ofMillis(300), 1 << 20);
            try {
                assertThatThrownBy(silent::check)
                        .as("check of %s", silent.describe())
                        .isInstanceOf(RuntimeException.class);
            } finally {
                silent.close();
            }
        }
    }
}
