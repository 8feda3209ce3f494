package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.codec.SegmentCodec;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Durable deletion through an outage and restart, and fsck finding injected faults; per backend set. */
abstract class AbstractLifecycleFaultTest {
    protected Database database;
    protected ContentTier content;
    protected SegmentCache cache;
    protected TaskMessageStore store;

    protected abstract Database openDatabase();

    /** A content tier that can also list its objects. */
    protected abstract ContentTier openContent();

    protected abstract SegmentCache openCache();

    protected abstract void stopContent();

    protected abstract void startContent();

    protected void cleanUp() {
    }

    @BeforeEach
    void open() {
        database = openDatabase();
        content = openContent();
        cache = openCache();
        store = StoreFixture.store(database, content, cache, StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
        cleanUp();
    }

    Fsck fsck() {
        return new Fsck(new JdbcMetadataTier(database), content, (ListableContent) content, new FailSafeSegmentCache(cache),
                new SegmentCodec(), Clock.systemUTC(), Duration.ZERO);
    }

    @Test
    void deleteWhileTheObjectStoreIsDown_survivesARestart_andEveryObjectGoesOnceItIsBack() {
        store.createTask("doomed");
        store.createTask("kept");
        for (int b = 0; b < 5; b++) {
            store.append("doomed", range(b * 4L, b * 4L + 3));
        }
        store.append("kept", range(0, 3));
        List<String> doomedKeys = new JdbcMetadataTier(database).catalog()
                .segments(new JdbcMetadataTier(database).task("doomed").orElseThrow()).stream().map(SegmentRecord::objectKey).toList();
        assertThat(store.list("doomed", dev.strata.store.MessageQuery.all()).messages()).hasSize(20);
        assertThat(cache.getAll(doomedKeys)).as("cache entries of doomed before the delete (the test must see them go)").hasSize(5);
        assertThat(objectsUnder(ContentKeys.taskPrefix("doomed"))).as("objects of doomed before the delete").hasSize(5);

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
        assertThat(objectsUnder(ContentKeys.taskPrefix("doomed"))).as("objects left under doomed's prefix").isEmpty();
        assertThat(cache.getAll(doomedKeys)).as("cache entries left of doomed's segments %s", doomedKeys).isEmpty();
        assertThat(objectsUnder(ContentKeys.taskPrefix("kept"))).as("objects of kept").hasSize(1);
        FsckReport report = fsck().run(Fsck.Mode.CHECK, done -> { });
        assertThat(report.problems()).isEmpty();
        assertThat(report.clean()).isTrue();
    }

    /** Every object the content tier lists under a key prefix. */
    protected List<String> objectsUnder(String keyPrefix) {
        List<String> keys = new java.util.ArrayList<>();
        String after = "";
        for (List<ListableContent.StoredObject> page = ((ListableContent) content).list(keyPrefix, after, 1000); !page.isEmpty();
             page = ((ListableContent) content).list(keyPrefix, after, 1000)) {
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
        List<SegmentRecord> segments = new JdbcMetadataTier(database).catalog().segments(new JdbcMetadataTier(database).task("t").orElseThrow());
        String orphan = ContentKeys.segment("t", 0x0bad);
        content.put(orphan, new SegmentCodec().encode(List.of()).bytes());
        content.put(ContentKeys.segment("no-such-task", 1), new byte[] {1, 2, 3});
        content.delete(List.of(segments.get(0).objectKey()));
        content.put(segments.get(1).objectKey(), new byte[] {9, 9, 9});

        FsckReport check = fsck().run(Fsck.Mode.CHECK, done -> { });

        assertThat(check.missing()).isEqualTo(1);
        assertThat(check.corrupt()).isEqualTo(1);
        assertThat(check.orphans()).isEqualTo(2);
        assertThat(check.problems()).anyMatch(p -> p.startsWith("missing: " + segments.get(0).objectKey()))
                .anyMatch(p -> p.startsWith("corrupt: " + segments.get(1).objectKey()))
                .anyMatch(p -> p.equals("orphan: " + orphan));
        assertThat(check.clean()).isFalse();

        FsckReport repair = fsck().run(Fsck.Mode.REPAIR, done -> { });

        assertThat(repair.orphansRemoved()).isEqualTo(2);
        assertThat(content.get(orphan)).isEmpty();
        assertThat(content.get(segments.get(2).objectKey())).as("referenced content is never removed").isPresent();
        assertThat(repair.clean()).as("missing and corrupt content cannot be repaired").isFalse();
    }

    @Test
    void orphanCollector_removesUnreferencedObjectsPageByPage() {
        store.createTask("t");
        store.append("t", range(0, 4));
        for (int i = 0; i < 25; i++) {
            content.put(ContentKeys.segment("ghost-" + i, i), new byte[] {1});
        }
        OrphanCollector collector = new OrphanCollector(content, (ListableContent) content, new JdbcMetadataTier(database).catalog(),
                Clock.systemUTC(), Duration.ZERO);

        int removed = 0;
        boolean wrapped = false;
        while (!wrapped) {
            OrphanCollector.Pass pass = collector.collect(10, OrphanCollector.Removal.REMOVE);
            assertThat(pass.listed()).isLessThanOrEqualTo(10);
            removed += pass.removed().size();
            wrapped = pass.wrapped();
        }

        assertThat(removed).isEqualTo(25);
        assertThat(fsck().run(Fsck.Mode.CHECK, done -> { }).clean()).isTrue();
        assertThat(store.list("t", dev.strata.store.MessageQuery.all()).messages()).hasSize(5);
    }

    @Test
    void orphanCollector_leavesYoungObjectsAlone() {
        content.put(ContentKeys.segment("in-flight", 1), new byte[] {1});
        OrphanCollector collector = new OrphanCollector(content, (ListableContent) content, new JdbcMetadataTier(database).catalog(),
                Clock.systemUTC(), Duration.ofHours(1));

        assertThat(collector.collect(100, OrphanCollector.Removal.REMOVE).removed()).isEmpty();
        assertThat(content.get(ContentKeys.segment("in-flight", 1))).isPresent();
    }
}
