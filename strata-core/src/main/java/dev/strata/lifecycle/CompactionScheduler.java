package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.model.TaskNotFoundException;
import dev.strata.store.TaskMessageStore;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs compaction (consolidation) in the background: for sealed tasks with segments not yet
 * consolidated, for open tasks past {@code maxOpenSegments} such segments, and for every task with
 * a frame in a shared object older than the shared segment TTL, which bounds how long any shared
 * object (and so a deleted task's bytes in one) lives. At most {@code concurrency} tasks compact at once, each task at
 * most once at a time in this process, on threads separate from request handling, so appends to
 * other tasks are never blocked. Candidates come from a periodic metadata query (which also picks
 * up work left by a restart) and from {@link #request} when a task is sealed. A failed compaction
 * or sweep, whatever it threw (an {@link Error} such as OutOfMemoryError too), is reported to
 * {@link BackgroundFailures} and retried by the next sweep; no failure stops the scheduler. Given
 * a {@link JobLease}, only the instance holding the {@code compaction} lease sweeps; requests
 * (a task this instance just sealed) are served by every instance.
 */
public final class CompactionScheduler implements AutoCloseable {
    private final TaskMessageStore store;
    private final int maxOpenSegments;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    /** Tasks compacting or queued in this process; true when asked again meanwhile (it runs once more after). */
    private final ConcurrentHashMap<String, Boolean> running = new ConcurrentHashMap<>();

    private final BackgroundFailures failures;
    private final LeasedPass leasedSweep;
    private final Duration sharedSegmentTtl;

    /** How long a frame may stay in a shared object before its task is consolidated, unless configured. */
    public static final Duration DEFAULT_SHARED_SEGMENT_TTL = Duration.ofMinutes(10);

    public CompactionScheduler(TaskMessageStore store, Duration interval, int maxOpenSegments, int concurrency) {
        this(store, interval, maxOpenSegments, concurrency, BackgroundFailures.unexported());
    }

    public CompactionScheduler(
            TaskMessageStore store,
            Duration interval,
            int maxOpenSegments,
            int concurrency,
            BackgroundFailures failures) {
        this(store, interval, maxOpenSegments, concurrency, DEFAULT_SHARED_SEGMENT_TTL, failures, JobLease.unshared());
    }

    /**
     * @param sharedSegmentTtl tasks with a frame in a shared object older than this are consolidated
     *     whether sealed or not, so every shared object is emptied within this plus one interval
     * @param lease which instance runs the periodic sweep (lease {@code compaction})
     */
    public CompactionScheduler(
            TaskMessageStore store,
            Duration interval,
            int maxOpenSegments,
            int concurrency,
            Duration sharedSegmentTtl,
            BackgroundFailures failures,
            JobLease lease) {
        this.store = requireNonNull(store, "store is null");
        this.sharedSegmentTtl = requireNonNull(sharedSegmentTtl, "sharedSegmentTtl is null");
        this.failures = requireNonNull(failures, "failures is null");
        failures.register("compaction");
        failures.register("compaction-sweep");
        this.maxOpenSegments = maxOpenSegments;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("strata-compaction-timer").daemon().factory());
        this.workers = Executors.newFixedThreadPool(
                concurrency,
                Thread.ofPlatform().name("strata-compaction-", 0).daemon().factory());
        this.leasedSweep = new LeasedPass("compaction", interval, lease, this::sweep);
        timer.scheduleWithFixedDelay(
                this::leasedSweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a task to be compacted soon, for example right after it was sealed. A task asked for
     * while its compaction runs is compacted once more after it: the running one may have read the
     * task before the change that asked (a seal during a move of its frames).
     */
    public void request(String taskId) {
        if (running.merge(taskId, false, (queued, again) -> true)) {
            return; // already queued or running: it runs once more after
        }
        try {
            workers.execute(() -> {
                try {
                    store.compact(taskId);
                } catch (TaskNotFoundException gone) {
                    // Deleted meanwhile: nothing to compact.
                } catch (Throwable e) {
                    failures.record("compaction", "compaction of task " + taskId, e);
                } finally {
                    // Done, unless asked again meanwhile (the flag only ever turns true while it
                    // runs): then once more.
                    if (!running.remove(taskId, false)) {
                        running.remove(taskId);
                        request(taskId);
                    }
                }
            });
        } catch (RejectedExecutionException closing) {
            running.remove(taskId);
        } catch (Throwable e) {
            // Not even queued (no memory for the task, say): a later sweep must be able to ask again.
            running.remove(taskId);
            throw e;
        }
    }

    private void leasedSweep() {
        try {
            leasedSweep.run();
        } catch (Throwable e) {
            failures.record("compaction-sweep", "compaction sweep lease", e);
        }
    }

    /** Queues every current candidate. */
    public void sweep() {
        try {
            store.compactionCandidates(maxOpenSegments, 200).forEach(this::request);
            store.consolidationCandidates(sharedSegmentTtl, 200).forEach(this::request);
        } catch (Throwable e) {
            failures.record("compaction-sweep", "compaction sweep", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        leasedSweep.release();
        workers.shutdown();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
