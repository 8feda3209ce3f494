package dev.strata.tier.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CaffeineSegmentCacheTest extends AbstractSegmentCacheContractTest {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    protected SegmentCache open() {
        return new CaffeineSegmentCache(1 << 20, Duration.ofMinutes(10), (Ticker) nanos::get);
    }

    @Test
    void put_declinesValuesAboveATenthOfTheBudget() {
        cache.put("tasks/big/1.seg", new byte[(1 << 20) / 10 + 1]);

        assertThat(cache.getAll(List.of("tasks/big/1.seg"))).isEmpty();
    }

    @Test
    void entries_expireAfterTheTtlWithoutAccess() {
        cache.put("tasks/a/1.seg", new byte[] {1});
        nanos.addAndGet(Duration.ofMinutes(11).toNanos());

        assertThat(cache.getAll(List.of("tasks/a/1.seg"))).isEmpty();
    }
}
