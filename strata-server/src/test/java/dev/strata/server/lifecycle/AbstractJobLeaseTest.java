package dev.strata.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.lifecycle.LeasedPass;
import dev.strata.testing.MutableClock;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances (two {@link Database} pools on one database, as two processes would have) take
 * turns at a job's passes through their leases; time is driven by a {@link MutableClock}, passes
 * are run by hand. Run against every metadata backend.
 */
abstract class AbstractJobLeaseTest {
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Database first;
    private Database second;

    /** A new pool on the test's database, its server migrations applied. */
    abstract Database openDatabase();

    @BeforeEach
    void open() {
        first = migrated(openDatabase());
        second = migrated(openDatabase());
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    private static Database migrated(Database database) {
        database.migrate("db/server", "strata_server_schema_history");
        return database;
    }

    /** One instance's pass of {@code job}, counting how often it really ran. */
    private final class Instance {
        final DatabaseJobLease lease;
        final AtomicInteger passes = new AtomicInteger();

        Instance(Database database, String name) {
            this.lease = new DatabaseJobLease(database, name, clock);
        }

        LeasedPass pass(String job) {
            return new LeasedPass(job, INTERVAL, lease, passes::incrementAndGet);
        }
    }

    @Test
    void onlyTheHolder_runsPasses_whileItKeepsRunning() {
        Instance a = new Instance(first, "a");
        Instance b = new Instance(second, "b");
        LeasedPass passA = a.pass("retention");
        LeasedPass passB = b.pass("retention");

        for (int round = 0; round < 5; round++) {
            passA.run();
            passB.run();
            clock.advance(INTERVAL);
        }

        assertThat(a.passes).as("passes run by the first instance").hasValue(5);
        assertThat(b.passes).as("passes run by the second instance").hasValue(0);
        assertThat(a.lease.holder("retention")).contains("a");
    }

    @Test
    void anotherInstance_takesOverAtItsNextPass_whenTheHolderStops() {
        Instance a = new Instance(first, "a");
        Instance b = new Instance(second, "b");
        LeasedPass passA = a.pass("deletion");
        LeasedPass passB = b.pass("deletion");
        passA.run();
        passB.run();

        passA.release();
        passB.run();

        assertThat(b.passes)
                .as("passes of the second instance after the first released")
                .hasValue(1);
        passA.run();
        assertThat(a.passes).as("the first instance, back, waits for the lease").hasValue(1);
        assertThat(b.lease.holder("deletion")).contains("b");
    }

    @Test
    void anotherInstance_takesOverWithinOneInterval_whenTheHolderDiesWithoutReleasing() {
        Instance a = new Instance(first, "a");
        Instance b = new Instance(second, "b");
        a.pass("orphan-collection").run();
        LeasedPass passB = b.pass("orphan-collection");

        clock.advance(INTERVAL);
        passB.run();
        assertThat(b.passes)
                .as("second instance, one interval after the holder's last pass")
                .hasValue(0);

        clock.advance(INTERVAL);
        passB.run();
        assertThat(b.passes)
                .as("second instance, once the dead holder's lease (two intervals) ran out")
                .hasValue(1);
        assertThat(a.lease.holder("orphan-collection")).contains("b");
    }

    @Test
    void leasesOfDifferentJobs_areIndependent() {
        Instance a = new Instance(first, "a");
        Instance b = new Instance(second, "b");
        a.pass("compaction").run();
        b.pass("retention").run();

        assertThat(a.lease.holder("compaction")).contains("a");
        assertThat(a.lease.holder("retention")).contains("b");
        assertThat(List.of(a.passes.get(), b.passes.get())).containsExactly(1, 1);
    }

    @Test
    void releasingALeaseHeldByAnother_changesNothing() {
        Instance a = new Instance(first, "a");
        Instance b = new Instance(second, "b");
        a.pass("compaction").run();

        b.lease.release("compaction");
        b.lease.release("never-held");

        assertThat(b.lease.holder("compaction")).contains("a");
        assertThat(b.lease.tryHold("compaction", INTERVAL)).isFalse();
    }

    @Test
    void instancesRacingForAFreeLease_electExactlyOne() throws Exception {
        int racers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                DatabaseJobLease lease = new DatabaseJobLease(i % 2 == 0 ? first : second, "racer-" + i, clock);
                attempts.add(threads.submit(() -> {
                    start.await();
                    return lease.tryHold("compaction", INTERVAL);
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> attempt : attempts) {
                winners += attempt.get() ? 1 : 0;
            }
            assertThat(winners).as("instances that got the lease").isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
    }
}
