package dev.strata.server.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.lifecycle.JobLease;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Job leases in the metadata database every instance shares (table {@code job_lease}), so that
 * one instance runs each periodic job. Taking a lease is one conditional write: an UPDATE that
 * succeeds only if this instance holds the row or it has expired, else an INSERT that succeeds
 * only if no row exists. Both are single statements the database serializes on the row (PostgreSQL
 * re-checks the WHERE after waiting for a concurrent writer; SQLite has one writer), so two
 * instances never both succeed. Expiry is judged by the instances' clocks, which must agree to
 * well within a job's interval. Thread-safe.
 */
public final class DatabaseJobLease implements JobLease {
    private final Database database;
    private final String instanceId;
    private final Clock clock;

    /** @param instanceId this instance's name in the lease table; unique among the instances */
    public DatabaseJobLease(Database database, String instanceId, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (instanceId.isBlank()) {
            throw new IllegalArgumentException("instanceId is blank");
        }
    }

    @Override
    public boolean tryHold(String job, Duration duration) {
        long now = clock.millis();
        long expiresAt = now + duration.toMillis();
        return database.write("lease tryHold " + job, h -> {
            int renewed = h.createUpdate("UPDATE job_lease SET holder = :holder, expires_at = :expires"
                            + " WHERE job = :job AND (holder = :holder OR expires_at <= :now)")
                    .bind("holder", instanceId)
                    .bind("expires", expiresAt)
                    .bind("job", job)
                    .bind("now", now)
                    .execute();
            if (renewed == 1) {
                return true;
            }
            return h.createUpdate("INSERT INTO job_lease (job, holder, expires_at) VALUES (:job, :holder, :expires)"
                                    + " ON CONFLICT (job) DO NOTHING")
                            .bind("job", job)
                            .bind("holder", instanceId)
                            .bind("expires", expiresAt)
                            .execute()
                    == 1;
        });
    }

    @Override
    public void release(String job) {
        database.write(
                "lease release " + job,
                h -> h.createUpdate("DELETE FROM job_lease WHERE job = :job AND holder = :holder")
                        .bind("job", job)
                        .bind("holder", instanceId)
                        .execute());
    }

    /** The instance holding {@code job}'s lease now, if any; for tests and diagnostics. */
    public Optional<String> holder(String job) {
        long now = clock.millis();
        return database.read(
                "lease holder " + job,
                h -> h.createQuery("SELECT holder FROM job_lease WHERE job = :job AND expires_at > :now")
                        .bind("job", job)
                        .bind("now", now)
                        .mapTo(String.class)
                        .findOne());
    }

    public String instanceId() {
        return instanceId;
    }
}
