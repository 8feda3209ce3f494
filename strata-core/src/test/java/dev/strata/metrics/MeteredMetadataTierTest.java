package dev.strata.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.FlushCommit;
import dev.strata.tier.metadata.FrameCommit;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import dev.strata.tier.metadata.TaskTimes;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every operation of every metadata interface shows up as a timer, over a real SQLite store. */
class MeteredMetadataTierTest {
    @TempDir
    Path directory;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Database database;
    private MetadataTier metadata;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory);
        metadata = new MeteredMetadataTier(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()), registry);
    }

    @AfterEach
    void close() {
        metadata.close();
        database.close();
    }

    @Test
    void everyOperation_ofTheTierAndItsParts_isTimed() {
        metadata.createTask("t", Instant.now());
        TaskRecord task = metadata.task("t").orElseThrow();
        metadata.storedSeqs(task, List.of(0L));
        metadata.taskWithStoredSeqs("t", List.of(0L));
        metadata.commit(task, segment(task, 1, 0));
        metadata.commit(task, segment(task, 2, 1));
        metadata.commitFlush(new FlushCommit(
                9,
                List.of(new FrameCommit(
                        task,
                        new SegmentCommit(
                                task.taskKey(),
                                9,
                                100,
                                7,
                                List.of(new MessageRow(5, "text", "", "", 1_700_000_000_005L)),
                                ObjectKind.SHARED,
                                0)))));
        metadata.locate(task, MessageQuery.all(), 10);
        metadata.countByType(List.of("t"));
        metadata.seal("t");
        metadata.check();
        metadata.catalog().segments(task);
        metadata.catalog().compactionCandidates(1, 10);
        metadata.catalog().compactionBacklog(1);
        metadata.catalog().replaceSegments(task, Set.of(1, 2), segment(task, 3, 0, 1), Instant.now());
        metadata.catalog()
                .moveSegments(
                        task,
                        11,
                        List.of(new dev.strata.tier.metadata.SegmentCatalog.Move(
                                metadata.catalog().segments(task).get(0), 0)),
                        Instant.now());
        metadata.catalog().mergeDone(task);
        metadata.catalog().knownObjects("t");
        metadata.catalog().knownSharedObjects(List.of(9L));
        metadata.catalog().claimOrphans(List.of(dev.strata.tier.content.ContentKeys.shared(9L)));
        metadata.catalog().forgetClaimsBefore(Instant.now());
        metadata.catalog().sharedFramesBefore(Instant.now(), 10);
        metadata.catalog().oldestSharedObject();
        metadata.catalog().segmentsAfter("", 10);
        metadata.catalog().segmentMismatches(List.of("t"));
        CommitLog.CommitHorizon horizon = metadata.commitLog().horizon("t").orElseThrow();
        metadata.commitLog().upTo(horizon.task(), MessageQuery.all(), horizon.commitNo(), 10);
        metadata.commitLog().after(horizon.task(), MessageQuery.all(), new CommitLog.CommitPosition(0, -1), 10);
        metadata.deleteTasks(List.of("t"));
        metadata.deletions().due(Instant.now(), 10);
        metadata.deletions().countDue(Instant.now());
        metadata.deletions().size();
        metadata.deletions().complete(List.of(1L));
        TaskTimes times = new MeteredTaskTimes(new JdbcTaskTimes(database), registry);
        times.createdBefore(List.of("t"), Instant.now());
        times.lastMessageTimes(List.of("t"));
        times.activity(List.of("t"));

        List<String> operations = List.of(
                "createTasks",
                "task",
                "storedSeqs",
                "taskWithStoredSeqs",
                "commit",
                "commitFlush",
                "locate",
                "countByType",
                "seal",
                "deleteTasks",
                "check",
                "catalog.segments",
                "catalog.replaceSegments",
                "catalog.moveSegments",
                "catalog.mergeDone",
                "catalog.compactionCandidates",
                "catalog.compactionBacklog",
                "catalog.knownObjects",
                "catalog.knownSharedObjects",
                "catalog.claimOrphans",
                "catalog.forgetClaimsBefore",
                "catalog.sharedFramesBefore",
                "catalog.oldestSharedObject",
                "catalog.segmentsAfter",
                "catalog.segmentMismatches",
                "commitLog.horizon",
                "commitLog.upTo",
                "commitLog.after",
                "deletions.due",
                "deletions.complete",
                "deletions.size",
                "deletions.countDue",
                "taskTimes.createdBefore",
                "taskTimes.lastMessageTimes",
                "taskTimes.activity");
        assertThat(operations)
                .as("every method of every metadata interface is exercised here")
                .containsExactlyInAnyOrderElementsOf(interfaceOperations());
        assertThat(operations)
                .allSatisfy(operation -> assertThat(timer(operation))
                        .as("timer of %s", operation)
                        .isNotNull()
                        .extracting(Timer::count)
                        .isNotEqualTo(0L));
    }

    /** The operations the metered decorators must time: every method the metadata interfaces declare. */
    private static List<String> interfaceOperations() {
        List<String> operations = new ArrayList<>();
        Set<String> accessors = Set.of("deletions", "catalog", "commitLog", "close");
        for (Method method : MetadataTier.class.getDeclaredMethods()) {
            if (!accessors.contains(method.getName()) && !method.isDefault()) {
                operations.add(method.getName());
            }
        }
        Map<String, Class<?>> parts = Map.of(
                "catalog.", SegmentCatalog.class,
                "commitLog.", CommitLog.class,
                "deletions.", DeletionQueue.class,
                "taskTimes.", TaskTimes.class);
        parts.forEach((prefix, type) -> {
            for (Method method : type.getDeclaredMethods()) {
                if (!method.isDefault() && !java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                    operations.add(prefix + method.getName());
                }
            }
        });
        return operations;
    }

    private Timer timer(String operation) {
        return registry.find("strata.tier.operation")
                .tags("tier", "metadata", "operation", operation, "outcome", "ok")
                .timer();
    }

    private static SegmentCommit segment(TaskRecord task, long objectId, long... seqs) {
        List<MessageRow> rows = java.util.Arrays.stream(seqs)
                .mapToObj(seq -> new MessageRow(seq, "text", "", "", 1_700_000_000_000L + seq))
                .toList();
        return new SegmentCommit(task.taskKey(), objectId, 100, 7, rows);
    }
}
