package dev.strata.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessagePage;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Highly compressible content (issue 9, defect 4) and huge fields in the decoded cache (defect 8):
 * reads, compaction and the cache stay within their configured byte budgets. Budgets are small
 * here so that a few megabytes show what hundreds of megabytes did against a real heap.
 */
class LargeMessageMemoryTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path directory;

    private Database database;
    private LocalDirectoryContentTier content;
    private TaskMessageStore store;

    private void open(StoreOptions options) {
        database = TestDatabases.sqlite(directory);
        content = new LocalDirectoryContentTier(directory.resolve("objects"));
        store = StoreFixture.store(database, content, new CaffeineSegmentCache(64 << 20, Duration.ofHours(1)), options);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            database.close();
        }
    }

    @Test
    void list_hugeCompressibleMessages_arePagedByTheByteBudgetWithHasMore() {
        // Defect 4: 8 x 25 MB messages of one repeated letter compress to ~3 KB each; one page of
        // them all ran a 512 MB heap out of memory. Scaled: 8 x 2 MiB under a 5 MiB page budget.
        open(StoreOptions.defaults().withMaxPageBytes(5 * MIB));
        List<String> appended = appendHugeMessages("huge", 8, 2 * MIB);

        List<TaskMessage> read = new ArrayList<>();
        MessageQuery query = MessageQuery.all().limitedTo(1000);
        int pages = 0;
        MessagePage page;
        do {
            page = store.list("huge", query);
            pages++;
            long pageChars = page.messages().stream()
                    .mapToLong(m -> m.content().length())
                    .sum();
            assertThat(pageChars).as("decoded bytes of page %d", pages).isLessThanOrEqualTo(5L * MIB);
            assertThat(page.messages()).as("page %d makes progress", pages).isNotEmpty();
            read.addAll(page.messages());
            query = query.after(page.messages().get(page.messages().size() - 1).seq());
        } while (page.hasMore());

        assertThat(pages)
                .as("pages of 2 messages each, the byte budget cutting the first three")
                .isEqualTo(4);
        assertThat(read).extracting(TaskMessage::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(read).extracting(TaskMessage::content).containsExactlyElementsOf(appended);
    }

    @Test
    void forEachMessage_hugeCompressibleMessages_deliversTheWholeTaskPageByPage() {
        open(StoreOptions.defaults().withMaxPageBytes(5 * MIB));
        List<String> appended = appendHugeMessages("whole", 8, 2 * MIB);
        List<TaskMessage> seen = new ArrayList<>();

        store.forEachMessage("whole", MessageQuery.all(), seen::add);

        assertThat(seen)
                .as("messages of the whole task")
                .extracting(TaskMessage::content)
                .containsExactlyElementsOf(appended);
    }

    @Test
    void list_singleMessageLargerThanTheByteBudget_isReturnedAloneSoReadersProgress() {
        open(StoreOptions.defaults().withMaxPageBytes(MIB));
        appendHugeMessages("one", 3, 2 * MIB);

        MessagePage first = store.list("one", MessageQuery.all());
        MessagePage last = store.list("one", MessageQuery.all().after(1));

        assertThat(first.messages())
                .as("first page")
                .extracting(TaskMessage::seq)
                .containsExactly(0L);
        assertThat(first.hasMore()).as("first page cut by bytes, not by limit").isTrue();
        assertThat(last.messages())
                .as("page after seq 1")
                .extracting(TaskMessage::seq)
                .containsExactly(2L);
        assertThat(last.hasMore()).as("last page").isFalse();
    }

    @Test
    void compact_hugeCompressibleTask_mergesIntoSeveralObjectsWithinTheBudget_withIdenticalReads() {
        // Defect 4: compaction loaded the whole task (8 x 25 MB) and died with OutOfMemoryError on
        // every sweep. Scaled: 8 x 2 MiB, 5 MiB per merged object: runs of 2 segments.
        open(StoreOptions.defaults().withMaxMergedSegmentBytes(5 * MIB).withReplacedSegmentGrace(Duration.ZERO));
        appendHugeMessages("big", 8, 2 * MIB);
        List<TaskMessage> before = store.list("big", MessageQuery.all()).messages();
        store.seal("big");

        CompactionResult result = store.compact("big");
        store.purgePendingDeletions();

        assertThat(result.segmentsBefore()).as("segments before").isEqualTo(8);
        assertThat(result.segmentsAfter())
                .as("frames after: each 2 MiB message is a frame of its own (larger than a frame's target)")
                .isEqualTo(8);
        assertThat(TestServices.countFiles(directory.resolve("objects")))
                .as("objects on disk")
                .isEqualTo(4);
        assertThat(store.list("big", MessageQuery.all()).messages())
                .as("reads after compaction")
                .isEqualTo(before);
        assertThat(store.compact("big").merged())
                .as("a second pass finds nothing that fits together")
                .isFalse();
    }

    @Test
    void compact_taskWithinTheBudget_stillEndsAsOneObject() {
        open(StoreOptions.defaults().withMaxMergedSegmentBytes(5 * MIB).withReplacedSegmentGrace(Duration.ZERO));
        store.createTask("small");
        for (long seq = 0; seq < 30; seq++) {
            store.append("small", dev.strata.testing.Messages.range(seq, seq));
        }
        store.seal("small");

        CompactionResult result = store.compact("small");

        assertThat(result.segmentsAfter())
                .as("segments after compacting 30 small ones")
                .isEqualTo(1);
        assertThat(store.list("small", MessageQuery.all()).messages()).hasSize(30);
    }

    @Test
    void decodedCache_withHugeCallIds_neverHoldsMoreThanItsSize() {
        // Defect 8: the weigher counted content, output and input only: 20 MB call ids grew the heap
        // past 700 MB against a 64 MB cache. Scaled: 1 MiB call ids against a 4 MiB cache. Appends
        // and imports now limit call ids to 256 bytes, but segments written before the limit can
        // still hold such messages, so the decoded cache is filled with them directly.
        long cacheBytes = 4L * MIB;
        DecodedSegments decoded = new DecodedSegments(cacheBytes);
        for (long seq = 0; seq < 20; seq++) {
            String callId = String.valueOf((char) ('a' + seq)).repeat(MIB);
            TaskMessage message = new TaskMessage(
                    TaskMessageStore.messageId("ids", seq),
                    "ids",
                    seq,
                    "tool-use",
                    "t".repeat(1000),
                    callId,
                    "",
                    Optional.empty(),
                    "",
                    Instant.EPOCH);
            decoded.put("tasks/ids/segment-" + seq, Map.of(seq, message));
        }

        Map<String, Map<Long, TaskMessage>> held = decoded.snapshot();
        long heldCallIdBytes = held.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(m -> m.callId().length())
                .sum();
        assertThat(decoded.weightedSize())
                .as("weighted size of the decoded cache")
                .isLessThanOrEqualTo(cacheBytes);
        assertThat(heldCallIdBytes)
                .as("call id characters the decoded cache holds")
                .isLessThanOrEqualTo(cacheBytes);
        assertThat(held).as("the cache still caches what fits").isNotEmpty();
    }

    @Test
    void decodedSegmentWeight_countsEveryField() {
        TaskMessage message = new TaskMessage(
                "id",
                "task",
                1,
                "y".repeat(1000),
                "t".repeat(2000),
                "c".repeat(3000),
                "x".repeat(4000),
                Optional.of("{\"i\":\"" + "i".repeat(5000) + "\"}"),
                "o".repeat(6000),
                Instant.EPOCH);

        long weight = DecodedSegments.weight("key", Map.of(1L, message));

        assertThat(weight).as("weight of a message of 21,000+ characters").isGreaterThanOrEqualTo(2L * 21_000);
    }

    private List<String> appendHugeMessages(String taskId, int count, int size) {
        store.createTask(taskId);
        List<String> contents = new ArrayList<>();
        for (long seq = 0; seq < count; seq++) {
            String text = String.valueOf((char) ('a' + seq)).repeat(size);
            contents.add(text);
            store.append(taskId, List.of(new NewMessage(seq, "text", "", "", text, Optional.empty(), "")));
        }
        return contents;
    }
}
