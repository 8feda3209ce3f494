package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.strata.tier.content.ListableContent.StoredObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every content backend must do; each backend's test subclasses this. */
public abstract class AbstractContentTierContractTest {
    protected ListableContent tier;

    protected abstract ListableContent open();

    protected void cleanUp() {}

    @BeforeEach
    void openTier() {
        tier = open();
    }

    @AfterEach
    void closeTier() {
        tier.close();
        cleanUp();
    }

    @Test
    void put_thenGet_returnsTheSameBytes() {
        byte[] bytes = randomBytes(10_000);
        tier.put(ContentKeys.segment("task", 1), bytes);

        assertThat(tier.get(ContentKeys.segment("task", 1)))
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void rangedGet_returnsExactlyTheFrame_andNothingForAMissingKey() {
        byte[] bytes = randomBytes(10_000);
        tier.put(ContentKeys.shared(7), bytes);

        assertThat(tier.get(ContentKeys.shared(7), 0, 10_000)).hasValue(bytes);
        assertThat(tier.get(ContentKeys.shared(7), 1_234, 5_000))
                .hasValueSatisfying(
                        frame -> assertThat(frame).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1_234, 6_234)));
        assertThat(tier.get(ContentKeys.shared(7), 9_999, 1))
                .hasValueSatisfying(frame -> assertThat(frame).containsExactly(bytes[9_999]));
        assertThat(tier.get(ContentKeys.shared(404), 0, 10)).isEmpty();
    }

    @Test
    void rangedGet_pastTheObjectsEnd_isCorruptContent_notAnOutage() {
        tier.put(ContentKeys.shared(8), randomBytes(100));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tier.get(ContentKeys.shared(8), 50, 100))
                .isInstanceOf(dev.strata.model.CorruptContentException.class)
                .hasMessageContaining(ContentKeys.shared(8));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tier.get(ContentKeys.shared(8), 200, 10))
                .isInstanceOf(dev.strata.model.CorruptContentException.class);
    }

    @Test
    void get_missingKey_isEmpty() {
        assertThat(tier.get(ContentKeys.segment("task", 404))).isEmpty();
    }

    @Test
    void put_sameKeyAndBytesAgain_isHarmless() {
        byte[] bytes = randomBytes(100);
        tier.put(ContentKeys.segment("task", 2), bytes);
        tier.put(ContentKeys.segment("task", 2), bytes);

        assertThat(tier.get(ContentKeys.segment("task", 2)))
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void delete_removesObjectsAndIgnoresMissingOnes() {
        tier.put(ContentKeys.segment("task", 3), randomBytes(10));
        tier.put(ContentKeys.segment("task", 4), randomBytes(10));
        tier.put(ContentKeys.segment("other", 3), randomBytes(10));

        tier.delete(List.of(
                ContentKeys.segment("task", 3), ContentKeys.segment("task", 4), ContentKeys.segment("task", 99)));
        tier.delete(List.of(ContentKeys.segment("task", 3)));

        assertThat(tier.get(ContentKeys.segment("task", 3))).isEmpty();
        assertThat(tier.get(ContentKeys.segment("task", 4))).isEmpty();
        assertThat(tier.get(ContentKeys.segment("other", 3))).isPresent();
    }

    @Test
    void largeObject_roundTrips() {
        byte[] bytes = randomBytes(20 << 20);
        tier.put(ContentKeys.segment("big", 1), bytes);

        assertThat(tier.get(ContentKeys.segment("big", 1)))
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void emptyObject_roundTrips() {
        tier.put(ContentKeys.segment("empty", 1), new byte[0]);

        assertThat(tier.get(ContentKeys.segment("empty", 1)))
                .hasValueSatisfying(got -> assertThat(got).isEmpty());
    }

    @Test
    void encodedTaskIds_areDistinctObjects() {
        tier.put(ContentKeys.segment("a/b", 1), new byte[] {1});
        tier.put(ContentKeys.segment("a~2Fb", 1), new byte[] {2});

        assertThat(tier.get(ContentKeys.segment("a/b", 1)))
                .hasValueSatisfying(got -> assertThat(got).containsExactly(1));
        assertThat(tier.get(ContentKeys.segment("a~2Fb", 1)))
                .hasValueSatisfying(got -> assertThat(got).containsExactly(2));
    }

    @Test
    void check_passesWhileTheBackendAnswers_andTheTierStillServes() {
        assertThatCode(tier::check).as("check of %s", tier.describe()).doesNotThrowAnyException();

        byte[] bytes = randomBytes(64);
        tier.put(ContentKeys.segment("checked", 1), bytes);
        assertThat(tier.get(ContentKeys.segment("checked", 1)))
                .as("get after check of %s", tier.describe())
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    /**
     * Task ids whose keys sort unlike their directories would by name: {@code s-b/} and
     * {@code s.b} (encoded {@code s~2Eb}) around {@code s/}, upper case before lower case, digits,
     * {@code _} and {@code ~}. S3 sorts keys by their bytes; every backend must list them so.
     */
    private static List<String> oddlySortingKeys(String stem) {
        List<String> keys = new ArrayList<>();
        for (String suffix : List.of("", "-b", "_b", "b", ".b", "B", "0", "/b", "~")) {
            for (long objectId : new long[] {1, 0x10, -1}) {
                keys.add(ContentKeys.segment(stem + suffix, objectId));
            }
        }
        return keys;
    }

    /** A prefix no other test uses: backends may share a bucket across the tests of a class. */
    private static String uniqueStem() {
        return "list" + UUID.randomUUID().toString().substring(0, 8);
    }

    private List<String> putAll(List<String> keys) {
        for (String key : keys) {
            tier.put(key, new byte[] {1, 2, 3});
        }
        return keys.stream().sorted().toList();
    }

    /** Every key under the prefix after {@code startAfter}, page by page of {@code limit}. */
    private List<String> listAll(String prefix, String startAfter, int limit) {
        List<String> keys = new ArrayList<>();
        String after = startAfter;
        for (List<StoredObject> page = tier.list(prefix, after, limit);
                !page.isEmpty();
                page = tier.list(prefix, after, limit)) {
            assertThat(page.size()).as("page size with limit %d", limit).isLessThanOrEqualTo(limit);
            page.forEach(object -> keys.add(object.key()));
            after = page.get(page.size() - 1).key();
        }
        return keys;
    }

    @Test
    void list_pagesWithSmallLimits_returnEveryKeyOnceInByteOrder() {
        String stem = uniqueStem();
        List<String> sorted = putAll(oddlySortingKeys(stem));

        for (int limit : new int[] {1, 2, 5, 1000}) {
            assertThat(listAll(ContentKeys.TASKS + stem, "", limit))
                    .as("limit %d on %s", limit, tier.describe())
                    .containsExactlyElementsOf(sorted);
        }
    }

    @Test
    void list_withATaskPrefix_returnsOnlyThatTasksKeys_notThoseOfTasksWhoseIdsExtendIt() {
        String stem = uniqueStem();
        putAll(oddlySortingKeys(stem));

        assertThat(listAll(ContentKeys.taskPrefix(stem), "", 2))
                .containsExactly(
                        ContentKeys.segment(stem, 1), ContentKeys.segment(stem, 0x10), ContentKeys.segment(stem, -1));
    }

    @Test
    void list_withEmptyPrefix_includesEveryKeyInOrder() {
        String stem = uniqueStem();
        List<String> sorted = putAll(oddlySortingKeys(stem));

        List<String> all = listAll("", "", 1000);

        assertThat(all).containsSubsequence(sorted);
        assertThat(all).isSorted();
    }

    @Test
    void list_startAfter_resumesAfterThatKey_whetherOrNotItExists() {
        String stem = uniqueStem();
        List<String> sorted = putAll(oddlySortingKeys(stem));
        String prefix = ContentKeys.TASKS + stem;

        String existing = sorted.get(4);
        assertThat(listAll(prefix, existing, 3)).containsExactlyElementsOf(sorted.subList(5, sorted.size()));
        // Between two keys, inside a task directory that sorts after a shorter sibling's keys.
        String absent = ContentKeys.taskPrefix(stem + "-b") + "8";
        assertThat(listAll(prefix, absent, 3))
                .containsExactlyElementsOf(
                        sorted.stream().filter(key -> key.compareTo(absent) > 0).toList());
        // Before every key under the prefix, and after all of them.
        assertThat(listAll(prefix, ContentKeys.TASKS, 4)).containsExactlyElementsOf(sorted);
        assertThat(tier.list(prefix, sorted.get(sorted.size() - 1), 10)).isEmpty();
    }

    @Test
    void list_ofAPrefixWithoutObjects_isEmpty() {
        assertThat(tier.list(ContentKeys.TASKS + uniqueStem(), "", 10)).isEmpty();
        assertThat(tier.list(ContentKeys.taskPrefix(uniqueStem()), "", 1)).isEmpty();
    }

    @Test
    void list_showsEachObjectsSizeAndAPlausibleModificationTime() {
        String key = ContentKeys.segment(uniqueStem(), 7);
        tier.put(key, randomBytes(1234));

        List<StoredObject> page = tier.list(key, "", 10);

        assertThat(page).singleElement().satisfies(object -> {
            assertThat(object.key()).isEqualTo(key);
            assertThat(object.size()).isEqualTo(1234);
            assertThat(Duration.between(object.lastModified(), Instant.now()).abs())
                    .isLessThan(Duration.ofMinutes(10));
        });
    }

    @Test
    void list_afterDelete_omitsTheObject() {
        String stem = uniqueStem();
        List<String> sorted = putAll(oddlySortingKeys(stem));

        tier.delete(List.of(sorted.get(0), sorted.get(3)));

        List<String> expected = new ArrayList<>(sorted);
        expected.remove(3);
        expected.remove(0);
        assertThat(listAll(ContentKeys.TASKS + stem, "", 2)).containsExactlyElementsOf(expected);
    }

    protected static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
    /**
     * Random task ids (ASCII that passes through, characters that become {@code ~XX}, non-BMP),
     * random prefixes cut anywhere in a key and random startAfter values (present, absent, cut
     * keys, ending in '/'), each listing paged to its end and compared with a sorted model; between
     * pages objects are added and deleted, and every key present throughout must come exactly once
     * and in order.
     */
    @Test
    void list_randomPrefixesAndStarts_pagedWhileObjectsComeAndGo_matchesASortedModel() {
        Random random = new Random(20261129);
        String stem = uniqueStem();
        String[] pieces = {"a", "b", "Z", "0", "-", "_", ".", "/", "~", "é", "😀", "ab", "a-", "a."};
        java.util.TreeSet<String> model = new java.util.TreeSet<>();
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            StringBuilder id = new StringBuilder(stem);
            for (int n = random.nextInt(3); n >= 0; n--) {
                id.append(pieces[random.nextInt(pieces.length)]);
            }
            pool.add(ContentKeys.segment(id.toString(), random.nextInt(3)));
        }
        for (String key : pool.subList(0, 30)) {
            tier.put(key, new byte[] {1});
            model.add(key);
        }
        int checked = 0;
        for (int round = 0; round < 35; round++) {
            String base = ContentKeys.TASKS + stem;
            String some = pool.get(random.nextInt(pool.size()));
            String prefix = random.nextBoolean()
                    ? base
                    : some.substring(0, base.length() + random.nextInt(some.length() - base.length() + 1));
            String other = pool.get(random.nextInt(pool.size()));
            String startAfter = switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> other;
                case 2 -> other.substring(0, base.length() + random.nextInt(other.length() - base.length() + 1));
                default -> other.substring(0, other.lastIndexOf('/') + 1);
            };
            int limit = 1 + random.nextInt(4);
            java.util.Set<String> throughout = new java.util.TreeSet<>(model);
            List<String> listed = new ArrayList<>();
            String after = startAfter;
            for (List<StoredObject> page = tier.list(prefix, after, limit);
                    !page.isEmpty();
                    page = tier.list(prefix, after, limit)) {
                page.forEach(object -> listed.add(object.key()));
                after = page.get(page.size() - 1).key();
                String changed = pool.get(random.nextInt(pool.size()));
                if (model.remove(changed)) {
                    tier.delete(List.of(changed));
                    throughout.remove(changed);
                } else {
                    tier.put(changed, new byte[] {2});
                    model.add(changed);
                }
            }
            String from = startAfter;
            List<String> expected = throughout.stream()
                    .filter(key -> key.startsWith(prefix) && key.compareTo(from) > 0)
                    .toList();
            assertThat(listed)
                    .as("prefix %s after %s limit %d", prefix, startAfter, limit)
                    .isSorted()
                    .doesNotHaveDuplicates()
                    .containsAll(expected)
                    .allMatch(key -> key.startsWith(prefix) && key.compareTo(from) > 0);
            checked += expected.size();
        }
        assertThat(checked).as("keys the rounds expected in all").isGreaterThan(150);
    }
}
