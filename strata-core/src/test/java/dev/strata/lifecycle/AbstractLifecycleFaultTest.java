package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.codec.SegmentCodec;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Durable deletion through an outage and restart, and fsck finding injected faults; per backend set. */
abstract class AbstractLifecycleFaultTest {
    protected Database database;
    protected ListableContent content;
    protected SegmentCache cache;
    protected TaskMessageStore store;

    protected abstract Database openDatabase();

    /** A content tier that can also list its objects. */
    protected abstract ListableContent openContent();

    protected abstract SegmentCache openCache();

    protected abstract void stopContent();

    protected abstract void startContent();

    protected void cleanUp() {}

    @BeforeEach
    void open() {
        database = openDatabase();
        content = openContent();
        cache = openCache();
        store = StoreFixture.store(
                database, content, cache, StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
    }

    @AfterEach
    void close() {
        store.close();
        // The store does not own its tiers; the fixture made them, so it closes them.
        cache.close();
        content.close();
        database.close();
        cleanUp();
    }

    Fsck fsck() {
        return new Fsck(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                content,
                new FailSafeSegmentCache(cache),
                new SegmentCodec(),
                Clock.systemUTC(),
                Duration.ZERO);
    }

    @Test
    void deleteWhileTheObjectStoreIsDown_survivesARestart_andEveryObjectGoesOnceItIsBack() {
        store.createTask("doomed");
        store.createTask("kept");
        for (int b = 0; b < 5; b++) {
            store.append("doomed", range(b * 4L, b * 4L + 3));
        }
        store.append("kept", range(0, 3));
        List<String> doomedKeys = objectKeys("doomed");
        List<String> doomedCacheKeys = cacheKeys("doomed");
        assertThat(store.list("doomed", dev.strata.model.MessageQuery.all()).messages())
                .hasSize(20);
        assertThat(cache.getAll(doomedCacheKeys))
                .as("cache entries of doomed before the delete (the test must see them go)")
                .hasSize(5);
        assertThat(objectsUnder(ContentKeys.SHARED))
                .as("objects of doomed before the delete")
                .containsAll(doomedKeys)
                .hasSize(6);

        stopContent();
        try {
            store.delete(List.of("doomed"));
            assertThat(store.task("doomed")).isEmpty();
            assertThat(store.pendingDeletions()).isEqualTo(5);
            // Restart: this instance vanishes as in a crash (its tiers stay open for the new one)
            // with the deletions still queued in metadata.
            store = StoreFixture.store(database, content, cache, StoreOptions.defaults());
        } finally {
            startContent();
        }

        try (PeriodicTask worker = new PeriodicTask("deletion", Duration.ofMillis(100), store::purgePendingDeletions)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.pendingDeletions() == 0);
        }
        for (String key : doomedKeys) {
            assertThat(content.get(key)).as(key).isEmpty();
        }
        assertThat(objectsUnder(ContentKeys.SHARED))
                .as("objects left of doomed")
                .doesNotContainAnyElementsOf(doomedKeys);
        assertThat(cache.getAll(doomedCacheKeys))
                .as("cache entries left of doomed's segments %s", doomedCacheKeys)
                .isEmpty();
        assertThat(objectsUnder(ContentKeys.SHARED))
                .as("objects of kept")
                .containsExactlyElementsOf(objectKeys("kept"));
        FsckReport report = fsck().run(Fsck.Mode.CHECK, done -> {});
        assertThat(report.problems()).isEmpty();
        assertThat(report.clean()).isTrue();
    }

    /** Every object the content tier lists under a key prefix. */
    protected List<String> objectsUnder(String keyPrefix) {
        List<String> keys = new java.util.ArrayList<>();
        String after = "";
        for (List<ListableContent.StoredObject> page = content.list(keyPrefix, after, 1000);
                !page.isEmpty();
                page = content.list(keyPrefix, after, 1000)) {
            page.forEach(object -> keys.add(object.key()));
            after = page.get(page.size() - 1).key();
        }
        return keys;
    }

    @Test
    void fsck_findsOrphanMissingAndCorruptObjects_andRepairRemovesOnlyOrphans() {
        store.createTask("t");
        store.append("t", range(0, 4));
        store.append("t", range(5, 9));
        store.append("t", range(10, 14));
        List<SegmentRecord> segments = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys())
                .catalog()
                .segments(new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys())
                        .task("t")
                        .orElseThrow());
        String orphan = ContentKeys.segment("t", 0x0bad);
        content.put(orphan, new SegmentCodec().encode(List.of()).bytes());
        content.put(ContentKeys.segment("no-such-task", 1), new byte[] {1, 2, 3});
        content.delete(List.of(ContentSegmentKeys.of(segments.get(0))));
        content.put(ContentSegmentKeys.of(segments.get(1)), new byte[] {9, 9, 9});

        FsckReport check = fsck().run(Fsck.Mode.CHECK, done -> {});

        assertThat(check.missing()).isEqualTo(1);
        assertThat(check.corrupt()).isEqualTo(1);
        assertThat(check.orphans()).isEqualTo(2);
        assertThat(check.problems())
                .anyMatch(p -> p.startsWith("missing: " + ContentSegmentKeys.of(segments.get(0))))
                .anyMatch(p -> p.startsWith("corrupt: " + ContentSegmentKeys.of(segments.get(1))))
                .anyMatch(p -> p.equals("orphan: " + orphan));
        assertThat(check.clean()).isFalse();

        FsckReport repair = fsck().run(Fsck.Mode.REPAIR, done -> {});

        assertThat(repair.orphansRemoved()).isEqualTo(2);
        assertThat(content.get(orphan)).isEmpty();
        assertThat(content.get(ContentSegmentKeys.of(segments.get(2))))
                .as("referenced content is never removed")
                .isPresent();
        assertThat(repair.clean())
                .as("missing and corrupt content cannot be repaired")
                .isFalse();
    }

    @Test
    void fsck_findsSegmentRowsThatDisagreeWithTheirMessageRows() {
        store.createTask("t");
        store.append("t", range(0, 4));
        store.append("t", range(5, 9));
        assertThat(fsck().run(Fsck.Mode.CHECK, done -> {}).clean()).isTrue();
        JdbcMetadataTier tier = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        SegmentRecord second =
                tier.catalog().segments(tier.task("t").orElseThrow()).get(1);
        // A range one seq short: a move would index the frame without seq 9, and reads by range would miss it.
        database.jdbi()
                .useHandle(handle ->
                        handle.execute("UPDATE tm_segment SET last_seq = 8 WHERE segment_no = ?", second.segmentNo()));

        FsckReport check = fsck().run(Fsck.Mode.CHECK, done -> {});

        assertThat(check.segmentMismatches()).isEqualTo(1);
        assertThat(check.problems())
                .containsExactly("segment mismatch: task t segment " + second.segmentNo()
                        + ": its row says 5 messages, seqs 5 to 8, message rows hold 5 messages, seqs 5 to 9");
        assertThat(check.clean()).isFalse();
        assertThat(fsck().run(Fsck.Mode.REPAIR, done -> {}).clean())
                .as("not repairable: fsck cannot tell which side is right")
                .isFalse();
    }

    /** Issue 9, defect 10: replaced segments inside STRATA_COMPACTION_GRACE made fsck fail for minutes after every completion. */
    @Test
    void fsck_deletionsInsideTheirGrace_areScheduledNotProblems_andRepairWaitsForTheGraceUnlessNow() {
        Duration grace = Duration.ofMinutes(5);
        TaskMessageStore graceful = StoreFixture.store(
                database, content, cache, StoreOptions.defaults().withReplacedSegmentGrace(grace));
        graceful.createTask("done");
        for (int b = 0; b < 3; b++) {
            graceful.append("done", range(b * 10L, b * 10L + 9));
        }
        List<String> replaced = objectKeys("done");
        graceful.seal("done");
        graceful.compact("done");

        FsckReport check = fsck(Clock.systemUTC()).run(Fsck.Mode.CHECK, done -> {});
        assertThat(check.scheduledDeletions())
                .as("replaced segments inside their grace")
                .isEqualTo(3);
        assertThat(check.overdueDeletions()).isZero();
        assertThat(check.problems())
                .as("a healthy store right after a compaction")
                .isEmpty();
        assertThat(check.clean()).isTrue();

        FsckReport repair = fsck(Clock.systemUTC()).run(Fsck.Mode.REPAIR, done -> {});
        assertThat(repair.deletionsFinished())
                .as("--repair before the grace ends")
                .isZero();
        for (String key : replaced) {
            assertThat(content.get(key))
                    .as("replaced segment %s stays readable during its grace", key)
                    .isPresent();
        }

        Clock late = Clock.offset(
                Clock.systemUTC(), grace.plus(Fsck.DEFAULT_OVERDUE_MARGIN).plusMinutes(1));
        FsckReport overdue = fsck(late).run(Fsck.Mode.CHECK, done -> {});
        assertThat(overdue.overdueDeletions())
                .as("due for longer than the margin")
                .isEqualTo(3);
        assertThat(overdue.problems()).anyMatch(p -> p.startsWith("overdue deletions: 3"));
        assertThat(overdue.clean()).isFalse();

        FsckReport now = fsck(Clock.systemUTC()).run(Fsck.Mode.REPAIR_NOW, done -> {});
        assertThat(now.deletionsFinished()).isEqualTo(3);
        assertThat(now.clean()).isTrue();
        for (String key : replaced) {
            assertThat(content.get(key))
                    .as("replaced segment %s after --repair --now", key)
                    .isEmpty();
        }
        assertThat(graceful.list("done", dev.strata.model.MessageQuery.all()).messages())
                .hasSize(30);
    }

    @Test
    void fsck_overdueDeletions_areProblemsUntilRepairFinishesThem() {
        store.createTask("gone");
        store.append("gone", range(0, 4));
        stopContent();
        try {
            store.delete(List.of("gone"));
        } finally {
            startContent();
        }
        Clock late = Clock.offset(Clock.systemUTC(), Fsck.DEFAULT_OVERDUE_MARGIN.plusMinutes(1));

        assertThat(fsck(Clock.systemUTC()).run(Fsck.Mode.CHECK, done -> {}).clean())
                .as("just queued: scheduled")
                .isTrue();
        assertThat(fsck(late).run(Fsck.Mode.CHECK, done -> {}).overdueDeletions())
                .isEqualTo(1);
        FsckReport repair = fsck(late).run(Fsck.Mode.REPAIR, done -> {});
        assertThat(repair.deletionsFinished()).isEqualTo(1);
        assertThat(repair.overdueDeletionsLeft()).isZero();
        assertThat(repair.clean()).isTrue();
        assertThat(store.pendingDeletions()).isZero();
    }

    /**
     * A cache entry with wrong bytes under a live segment key is never served: fsck finds it and
     * --repair drops it, and a read that meets one drops it too and serves the content tier's bytes.
     */
    @Test
    void fsck_findsCacheEntriesThatDoNotMatchTheRecordedChecksum_andRepairDropsThem() {
        store.createTask("t");
        store.append("t", range(0, 4));
        store.append("t", range(5, 9));
        List<String> keys = cacheKeys("t");
        byte[] validButWrong = new SegmentCodec()
                .encode(List.of(new dev.strata.model.TaskMessage(
                        "x",
                        "t",
                        0,
                        "text",
                        "",
                        "",
                        "not what was written",
                        java.util.Optional.empty(),
                        "",
                        java.time.Instant.EPOCH)))
                .bytes();
        cache.put(keys.get(0), validButWrong);
        cache.put(keys.get(1), new byte[] {7, 7, 7});

        FsckReport check = fsck(Clock.systemUTC()).run(Fsck.Mode.CHECK, done -> {});
        assertThat(check.cacheMismatches()).isEqualTo(2);
        assertThat(check.problems()).contains("cache mismatch: " + keys.get(0), "cache mismatch: " + keys.get(1));
        assertThat(check.clean()).isFalse();

        FsckReport repair = fsck(Clock.systemUTC()).run(Fsck.Mode.REPAIR, done -> {});
        assertThat(repair.cacheMismatchesRemoved()).isEqualTo(2);
        assertThat(repair.clean()).isTrue();
        assertThat(cache.getAll(keys)).as("bad entries after --repair").isEmpty();

        cache.put(keys.get(0), validButWrong);
        cache.put(keys.get(1), new byte[] {7, 7, 7});
        TaskMessageStore fresh = StoreFixture.store(database, content, cache);
        assertThat(fresh.list("t", dev.strata.model.MessageQuery.all()).messages())
                .as("a read over bad cache entries")
                .extracting(dev.strata.model.TaskMessage::content)
                .containsExactlyElementsOf(
                        range(0, 9).stream().map(m -> m.content()).toList());
        assertThat(fsck(Clock.systemUTC()).run(Fsck.Mode.CHECK, done -> {}).cacheMismatches())
                .as("cache mismatches after that read")
                .isZero();
    }

    /** Issue 9, defect 5: store tasks the application lost track of were found by nothing. */
    @Test
    void fsck_findsStoreTasksTheApplicationForgot_andRepairDeletesTheirRowsAndContent() {
        store.createTask("known");
        store.createTask("forgotten");
        store.append("known", range(0, 4));
        store.append("forgotten", range(0, 4));
        store.append("forgotten", range(5, 9));
        List<String> forgottenKeys = objectKeys("forgotten");
        Set<String> application = Set.of("known");
        KnownTasks knownTasks = (ids, createdBefore) ->
                ids.stream().filter(id -> !application.contains(id)).collect(Collectors.toSet());

        FsckReport check = fsck(Clock.systemUTC(), knownTasks).run(Fsck.Mode.CHECK, done -> {});
        assertThat(check.forgottenTasks()).isEqualTo(1);
        assertThat(check.problems()).anyMatch(p -> p.startsWith("forgotten task: forgotten"));
        assertThat(check.clean()).isFalse();

        FsckReport repair = fsck(Clock.systemUTC(), knownTasks).run(Fsck.Mode.REPAIR, done -> {});
        assertThat(repair.forgottenTasksRemoved()).isEqualTo(1);
        assertThat(repair.clean()).isTrue();
        assertThat(store.task("forgotten"))
                .as("store metadata of the forgotten task")
                .isEmpty();
        for (String key : forgottenKeys) {
            assertThat(content.get(key))
                    .as("object %s of the forgotten task", key)
                    .isEmpty();
        }
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.list("known", dev.strata.model.MessageQuery.all()).messages())
                .hasSize(5);
        assertThat(fsck(Clock.systemUTC(), knownTasks)
                        .run(Fsck.Mode.CHECK, done -> {})
                        .problems())
                .isEmpty();
    }

    private Fsck fsck(Clock clock) {
        return fsck(clock, KnownTasks.everyStoreTask());
    }

    private Fsck fsck(Clock clock, KnownTasks knownTasks) {
        return new Fsck(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                content,
                new FailSafeSegmentCache(cache),
                new SegmentCodec(),
                clock,
                Duration.ZERO,
                knownTasks,
                Fsck.DEFAULT_OVERDUE_MARGIN,
                CompactionScheduler.DEFAULT_SHARED_SEGMENT_TTL);
    }

    /** The keys of the objects holding the task's live segments. */
    private List<String> objectKeys(String taskId) {
        JdbcMetadataTier metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        return metadata.catalog().segments(metadata.task(taskId).orElseThrow()).stream()
                .map(ContentSegmentKeys::of)
                .distinct()
                .toList();
    }

    /** The cache keys of the task's live frames. */
    private List<String> cacheKeys(String taskId) {
        JdbcMetadataTier metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        return metadata.catalog().segments(metadata.task(taskId).orElseThrow()).stream()
                .map(segment -> ContentSegmentKeys.frame(segment).cacheKey())
                .toList();
    }

    @Test
    void orphanCollector_removesUnreferencedObjectsPageByPage() {
        store.createTask("t");
        store.append("t", range(0, 4));
        for (int i = 0; i < 25; i++) {
            content.put(ContentKeys.segment("ghost-" + i, i), new byte[] {1});
        }
        OrphanCollector collector = new OrphanCollector(
                content,
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()).catalog(),
                Clock.systemUTC(),
                Duration.ZERO);

        // Every pass visits all shared objects (here the append's one) beside its page of others.
        int shared = TaskFrames.keysUnder(content, ContentKeys.SHARED).size();
        int removed = 0;
        boolean wrapped = false;
        while (!wrapped) {
            OrphanCollector.Pass pass = collector.collect(10, OrphanCollector.Removal.REMOVE);
            assertThat(pass.listed()).isLessThanOrEqualTo(10 + shared);
            removed += pass.removed().size();
            wrapped = pass.wrapped();
        }

        assertThat(removed).isEqualTo(25);
        assertThat(fsck().run(Fsck.Mode.CHECK, done -> {}).clean()).isTrue();
        assertThat(store.list("t", dev.strata.model.MessageQuery.all()).messages())
                .hasSize(5);
    }

    @Test
    void orphanCollector_leavesYoungObjectsAlone() {
        content.put(ContentKeys.segment("in-flight", 1), new byte[] {1});
        OrphanCollector collector = new OrphanCollector(
                content,
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()).catalog(),
                Clock.systemUTC(),
                Duration.ofHours(1));

        assertThat(collector.collect(100, OrphanCollector.Removal.REMOVE).removed())
                .isEmpty();
        assertThat(content.get(ContentKeys.segment("in-flight", 1))).isPresent();
    }
}
