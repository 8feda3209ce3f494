package dev.strata.store;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.strata.codec.FrameIndex;
import dev.strata.codec.SegmentCodec;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.TaskMessage;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.FlushCommit;
import dev.strata.tier.metadata.FrameCommit;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit across tasks: appends queue their encoded frame here and wait; a flush takes
 * whatever is queued (up to {@code maxBytes} of frames), writes it as ONE shared object (frames
 * back to back, then their index, see {@link FrameIndex}), makes it durable, commits the metadata
 * of every frame in ONE transaction ({@link MetadataTier#commitFlush}), and only then fills the
 * cache, tells the change listeners (once per task) and answers each append. There is no timer:
 * appends that arrive while a flush is busy wait for the next one, so a flush grows with load.
 *
 * <p>When a flush starts: at once when none is running (after {@code maxDelay}, if set, counted
 * from the oldest waiting append). While flushes run, another one starts only when the waiting
 * frames fill a quarter of {@code maxBytes}; so under load the waiting appends form one large
 * flush instead of being split across idle workers (which multiplied the objects, the PUTs and the
 * transactions), and a slow object store still gets up to {@code concurrency} writes at once when
 * appends arrive faster than one flush can carry them.
 *
 * <p>Why nothing acknowledged is lost: an append is answered only after its object is durable and
 * the transaction naming it committed. A failed object write or transaction fails every append of
 * the flush and nothing of it is visible (no committed row points into the object; orphan
 * collection removes it later, because a transaction that threw may still have committed, so the
 * object is never removed here then). The metadata tier keeps concurrent transactions correct
 * (SQLite takes them one at a time). Thread-safe.
 */
final class Flusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Flusher.class);

    /** An append waiting for a flush. */
    private record Pending(
            TaskRecord task,
            List<TaskMessage> messages,
            SegmentCodec.Encoded frame,
            long queuedAtNanos,
            CompletableFuture<CommitOutcome> outcome) {
        int size() {
            return frame.bytes().length;
        }
    }

    private final ContentTier content;
    private final MetadataTier metadata;
    private final SegmentCache cache;
    private final Consumer<String> changed;
    private final long maxBytes;
    private final long maxDelayNanos;
    private final List<Thread> workers = new ArrayList<>();

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Signalled when a flush may start (one worker per chance; every worker on close): an append
     * queued, a flush ended, or a batch taken while another flush's worth still waits.
     */
    private final Condition changes = lock.newCondition();

    @GuardedBy("lock")
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();

    @GuardedBy("lock")
    private long queuedBytes;

    @GuardedBy("lock")
    private int inFlight;

    @GuardedBy("lock")
    private boolean closed;

    Flusher(
            ContentTier content,
            MetadataTier metadata,
            SegmentCache cache,
            Consumer<String> changed,
            long maxBytes,
            Duration maxDelay,
            int concurrency) {
        this.content = requireNonNull(content, "content is null");
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.changed = requireNonNull(changed, "changed is null");
        this.maxBytes = maxBytes;
        this.maxDelayNanos = maxDelay.toNanos();
        for (int i = 0; i < concurrency; i++) {
            Thread worker =
                    Thread.ofPlatform().name("strata-flush-" + i).daemon().unstarted(this::work);
            workers.add(worker);
            worker.start();
        }
    }

    /**
     * Queues the task's frame for the next flush and waits until that flush committed or failed.
     *
     * @param messages the messages the frame encodes, in seq order, none stored yet as far as the caller knows
     * @return what the commit did for this frame
     * @throws BackendUnavailableException when the flush could not write its object or commit
     */
    CommitOutcome commit(TaskRecord task, List<TaskMessage> messages, SegmentCodec.Encoded frame) {
        Pending pending = new Pending(task, messages, frame, System.nanoTime(), new CompletableFuture<>());
        lock.lock();
        try {
            if (closed) {
                throw new BackendUnavailableException("the store is closed", null);
            }
            queue.add(pending);
            queuedBytes += pending.size();
            changes.signal(); // one worker can start a flush for it
        } finally {
            lock.unlock();
        }
        try {
            return pending.outcome().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new BackendUnavailableException("flush failed: " + cause, cause);
        }
    }

    /** @return appends waiting for a flush right now, for tests and diagnostics */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (true) {
            List<Pending> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                return; // closed
            }
            try {
                flush(batch);
            } catch (Throwable t) {
                // Every append of the flush fails alike, and nothing of it is visible.
                batch.forEach(pending -> pending.outcome().completeExceptionally(t));
                if (t instanceof Error && !(t instanceof OutOfMemoryError)) {
                    log.error("flush worker failed; its appends failed, the worker goes on", t);
                }
            } finally {
                lock.lock();
                try {
                    inFlight--;
                    changes.signal(); // one slot freed: one worker may start
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Waits until a flush may start (see the class comment), then takes the oldest waiting
     * appends, at least one and otherwise up to {@code maxBytes}.
     *
     * @return the flush's appends, or none once the flusher is closed
     */
    private List<Pending> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return List.of();
                }
                long waitNanos = untilStart();
                if (waitNanos == 0) {
                    break;
                }
                if (waitNanos < 0) {
                    changes.await();
                } else {
                    changes.awaitNanos(waitNanos);
                }
            }
            List<Pending> batch = new ArrayList<>();
            long bytes = 0;
            while (!queue.isEmpty() && (batch.isEmpty() || bytes + queue.peek().size() <= maxBytes)) {
                Pending next = queue.poll();
                batch.add(next);
                bytes += next.size();
            }
            queuedBytes -= bytes;
            inFlight++;
            if (untilStart() == 0) {
                changes.signal(); // more than one flush's worth waits: another worker starts too
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** @return 0 when a flush may start now, else nanoseconds to wait for the delay, or -1 to wait for a change */
    @GuardedBy("lock")
    private long untilStart() {
        if (queue.isEmpty()) {
            return -1;
        }
        if (queuedBytes >= maxBytes) {
            return 0;
        }
        if (inFlight > 0) {
            return queuedBytes >= maxBytes / 4 ? 0 : -1;
        }
        long left = queue.peek().queuedAtNanos() + maxDelayNanos - System.nanoTime();
        return Math.max(0, left);
    }

    private void flush(List<Pending> batch) {
        long objectId = ThreadLocalRandom.current().nextLong();
        String key = ContentKeys.shared(objectId);
        List<FrameIndex.Frame> frames = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            frames.add(new FrameIndex.Frame(
                    pending.task().taskId(),
                    pending.messages().get(0).seq(),
                    pending.messages().get(pending.messages().size() - 1).seq(),
                    pending.frame()));
        }
        FrameIndex.Built object = FrameIndex.build(frames);
        content.put(key, object.bytes());
        List<FrameCommit> commits = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            FrameIndex.Entry entry = object.entries().get(i);
            commits.add(new FrameCommit(
                    pending.task(),
                    new SegmentCommit(
                            pending.task().taskKey(),
                            objectId,
                            entry.length(),
                            entry.checksum(),
                            MessageRow.of(pending.messages()),
                            ObjectKind.SHARED,
                            entry.offset())));
        }
        List<CommitOutcome> outcomes = metadata.commitFlush(new FlushCommit(objectId, commits));
        Set<String> tasksChanged = new LinkedHashSet<>();
        Map<String, byte[]> cached = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes.get(i) instanceof CommitOutcome.Committed committed
                    && !committed.insertedSeqs().isEmpty()) {
                cached.put(
                        Frame.cacheKey(key, object.entries().get(i).offset()),
                        batch.get(i).frame().bytes());
                tasksChanged.add(batch.get(i).task().taskId());
            }
        }
        cache.putAll(cached);
        if (tasksChanged.isEmpty()) {
            // The commit recorded nothing (every task gone, every message stored before): no row
            // points into the object, so it can go now; orphan collection would find it otherwise.
            discard(key);
        }
        tasksChanged.forEach(changed);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).outcome().complete(outcomes.get(i));
        }
    }

    private void discard(String key) {
        try {
            content.delete(List.of(key));
        } catch (BackendUnavailableException e) {
            log.warn("could not remove unreferenced shared object {}; orphan collection will: {}", key, e.getMessage());
        }
    }

    /** Stops the workers after the flushes they are in; appends still queued fail as unavailable. */
    @Override
    public void close() {
        List<Pending> abandoned;
        lock.lock();
        try {
            closed = true;
            changes.signalAll();
            abandoned = new ArrayList<>(queue);
            queue.clear();
            queuedBytes = 0;
        } finally {
            lock.unlock();
        }
        abandoned.forEach(pending ->
                pending.outcome().completeExceptionally(new BackendUnavailableException("the store is closed", null)));
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
