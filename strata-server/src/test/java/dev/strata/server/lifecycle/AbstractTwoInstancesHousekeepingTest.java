package dev.strata.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two serving Strata instances on one metadata database: each housekeeping job is leased by one of
 * them, and when that one stops, the other takes the job over.
 */
abstract class AbstractTwoInstancesHousekeepingTest {
    private static final Set<String> JOBS = Set.of("compaction", "deletion", "orphan-collection", "retention");

    @TempDir
    Path directory;

    private Strata first;
    private Strata second;

    /** The {@code STRATA_DB_URL} both instances share. */
    abstract String databaseUrl();

    private Strata serve() {
        Map<String, String> env = new HashMap<>();
        env.put("STRATA_DB_URL", databaseUrl());
        env.put("STRATA_CONTENT_URL", "file:" + directory.resolve("objects"));
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        for (String interval : List.of(
                "STRATA_DELETION_INTERVAL",
                "STRATA_COMPACTION_INTERVAL",
                "STRATA_ORPHAN_INTERVAL",
                "STRATA_RETENTION_INTERVAL")) {
            env.put(interval, "200ms");
        }
        return Strata.open(StrataConfig.fromEnvironment(env)).serve();
    }

    @AfterEach
    void close() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
        dropDatabase();
    }

    /** Removes the shared database once both instances are closed. */
    void dropDatabase() {}

    /** The live leases: job to holding instance. */
    private static Map<String, String> leases(Strata strata) {
        long now = System.currentTimeMillis();
        return strata.database().read("test leases", h -> {
            Map<String, String> holders = new HashMap<>();
            h.createQuery("SELECT job, holder FROM job_lease WHERE expires_at > :now")
                    .bind("now", now)
                    .map((rs, ctx) -> holders.put(rs.getString(1), rs.getString(2)))
                    .list();
            return holders;
        });
    }

    @Test
    void eachJob_isLeasedByOneInstance_andTheOtherTakesOverWhenItStops() {
        first = serve();
        second = serve();
        Set<String> instances = Set.of(first.instanceId(), second.instanceId());

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(leases(first)).containsOnlyKeys(JOBS));
        assertThat(leases(first).values())
                .allSatisfy(holder -> assertThat(instances).contains(holder));

        Strata holder = leases(first).get("retention").equals(first.instanceId()) ? first : second;
        Strata survivor = holder == first ? second : first;
        holder.close();
        if (holder == first) {
            first = null;
        } else {
            second = null;
        }

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(leases(survivor))
                        .as("leases once %s stopped", holder.instanceId())
                        .containsOnlyKeys(JOBS)
                        .allSatisfy((job, instance) -> assertThat(instance).isEqualTo(survivor.instanceId())));
    }
}
