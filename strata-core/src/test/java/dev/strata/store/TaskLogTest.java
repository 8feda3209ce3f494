package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskNotFoundException;
import dev.strata.store.TaskLog.CommittedMessage;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading a task in commit order (live tails' cursor), on SQLite and PostgreSQL. */
class TaskLogTest {
    @TempDir
    Path directory;

    private Database database;
    private TaskMessageStore store;
    private String schema;

    private TaskMessageStore open(String backend) {
        if (backend.equals("postgresql")) {
            schema = TestServices.uniqueName("tasklog");
            database = TestDatabases.postgres(schema);
        } else {
            database = TestDatabases.sqlite(directory);
        }
        store = StoreFixture.store(
                database,
                new LocalDirectoryContentTier(directory.resolve("objects")),
                new CaffeineSegmentCache(8 << 20, java.time.Duration.ofMinutes(5)));
        return store;
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
        if (schema != null) {
            TestServices.dropSchema(schema);
        }
    }

    private static List<Long> seqs(List<CommittedMessage> messages) {
        return messages.stream().map(m -> m.message().seq()).toList();
    }

    private static List<Long> seqRange(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void after_followsCommitOrder_notSeqOrder(String backend) {
        TaskMessageStore store = open(backend);
        store.createTask("t");
        store.append("t", range(21, 40));
        store.append("t", range(1, 20));
        TaskLog log = store.log();

        List<CommittedMessage> all = log.after("t", MessageQuery.all(), 0, Long.MAX_VALUE, 1000);
        assertThat(seqs(all))
                .as("commit order: 21-40 first, then 1-20")
                .isEqualTo(java.util.stream.Stream.concat(seqRange(21, 40).stream(), seqRange(1, 20).stream())
                        .toList());
        CommittedMessage last = all.get(19);
        assertThat(seqs(log.after(
                        "t", MessageQuery.all(), last.commitNo(), last.message().seq(), 1000)))
                .as("resuming after seq 40 still gets 1-20")
                .isEqualTo(seqRange(1, 20));
        assertThat(seqs(log.after("t", MessageQuery.all().after(10), 0, Long.MAX_VALUE, 1000)))
                .as("a floor leaves out seqs at or below it whenever they commit")
                .isEqualTo(java.util.stream.Stream.concat(seqRange(21, 40).stream(), seqRange(11, 20).stream())
                        .toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void cursor_survivesCompaction_whichRenumbersSegments(String backend) {
        TaskMessageStore store = open(backend);
        store.createTask("t");
        store.append("t", range(1, 10));
        store.append("t", range(11, 20));
        long horizon = store.log().horizon("t").orElseThrow();
        CommittedMessage position = store.log()
                .after("t", MessageQuery.all(), 0, Long.MAX_VALUE, 1000)
                .get(19);
        store.append("t", range(21, 30));

        assertThat(store.compact("t").merged())
                .as("compaction merged the segments")
                .isTrue();
        store.append("t", range(31, 40));

        TaskLog log = store.log();
        assertThat(seqs(log.after(
                        "t",
                        MessageQuery.all(),
                        position.commitNo(),
                        position.message().seq(),
                        1000)))
                .as("after the cursor taken before compaction")
                .isEqualTo(seqRange(21, 40));
        assertThat(seqs(log.upTo("t", MessageQuery.all(), horizon, 1000)))
                .as("the backlog bound taken before compaction")
                .isEqualTo(seqRange(1, 20));
        assertThat(log.horizon("t").orElseThrow()).as("horizon grows").isGreaterThan(horizon);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void readsOfADeletedTask_throwNotFound(String backend) {
        TaskMessageStore store = open(backend);
        store.createTask("t");
        store.append("t", range(1, 3));
        store.delete(List.of("t"));
        assertThat(store.log().horizon("t")).isEmpty();
        assertThatThrownBy(() -> store.log().after("t", MessageQuery.all(), 0, 0, 10))
                .isInstanceOf(TaskNotFoundException.class);
    }
}
