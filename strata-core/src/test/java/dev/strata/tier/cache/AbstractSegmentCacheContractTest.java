package dev.strata.tier.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every cache backend must do; each backend's test subclasses this. */
public abstract class AbstractSegmentCacheContractTest {
    protected SegmentCache cache;

    protected abstract SegmentCache open();

    protected void cleanUp() {}

    @BeforeEach
    void openCache() {
        cache = open();
    }

    @AfterEach
    void closeCache() {
        cache.close();
        cleanUp();
    }

    @Test
    void getAll_returnsOnlyCachedKeys() {
        cache.put("tasks/a/1.seg", new byte[] {1, 2, 3});
        cache.put("tasks/a/2.seg", new byte[] {4});

        var found = cache.getAll(List.of("tasks/a/1.seg", "tasks/a/2.seg", "tasks/a/3.seg"));

        assertThat(found).containsOnlyKeys("tasks/a/1.seg", "tasks/a/2.seg");
        assertThat(found.get("tasks/a/1.seg")).containsExactly(1, 2, 3);
    }

    @Test
    void putAll_cachesEveryEntry() {
        Map<String, byte[]> entries = new java.util.HashMap<>();
        for (int i = 0; i < 50; i++) {
            entries.put("shared/" + i + ".seg@" + i * 100, new byte[] {(byte) i, 7});
        }

        cache.putAll(entries);
        cache.putAll(Map.of());

        Map<String, byte[]> found = cache.getAll(entries.keySet());
        assertThat(found).containsOnlyKeys(entries.keySet());
        entries.forEach((key, value) -> assertThat(found.get(key)).as(key).isEqualTo(value));
    }

    @Test
    void invalidate_removesEntriesAndIgnoresMissingOnes() {
        cache.put("tasks/a/1.seg", new byte[] {1});

        cache.invalidate(List.of("tasks/a/1.seg", "tasks/a/9.seg"));

        assertThat(cache.getAll(List.of("tasks/a/1.seg"))).isEmpty();
    }

    @Test
    void getAll_ofNothing_isEmpty() {
        assertThat(cache.getAll(List.of())).isEmpty();
    }

    @Test
    void binaryValues_roundTrip() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        cache.put("tasks/b/1.seg", value);

        assertThat(cache.getAll(List.of("tasks/b/1.seg")).get("tasks/b/1.seg")).isEqualTo(value);
    }

    @Test
    void check_passesWhileTheCacheAnswers_andTheCacheStillServes() {
        assertThatCode(cache::check).as("check of %s", cache.describe()).doesNotThrowAnyException();

        cache.put("tasks/checked/1.seg", new byte[] {5, 6});
        assertThat(cache.getAll(List.of("tasks/checked/1.seg")))
                .as("getAll after check of %s", cache.describe())
                .hasEntrySatisfying(
                        "tasks/checked/1.seg", value -> assertThat(value).containsExactly(5, 6));
    }
}
