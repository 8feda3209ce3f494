package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages of one appender not yet acknowledged, in the order they were appended, with their
 * seqs assigned. Bounded: {@link #add} waits while it is full. It hands out one batch at a time
 * and hands out the next only after the previous was acknowledged, so one sender never has two
 * batches of a task in flight. Once failed, it refuses everything with the failure. Thread-safe.
 */
final class AppendQueue {
    /** A queued message: its seq, its JSON, and when it was queued. */
    record Item(long seq, String json, long bytes, long queuedNanos) {}

    private final String taskId;
    private final AppenderSettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private long bytes;
    private long nextSeq;
    private long added;
    private long acknowledged;
    private int flushWaiters;
    private boolean closing;
    private StrataException failure;

    AppendQueue(String taskId, AppenderSettings settings, long firstSeq) {
        this.taskId = requireNonNull(taskId, "taskId is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.nextSeq = firstSeq;
    }

    /** Queues the message with its own seq or the next one, waiting while the queue is full; returns the seq. */
    long add(NewMessage message) {
        lock.lock();
        try {
            checkOpen();
            long seq = message.seq().orElse(nextSeq);
            if (seq > NewMessage.MAX_SEQ) {
                throw new IllegalStateException("task " + taskId + " has no seq left above " + (seq - 1));
            }
            String json = message.toJson(seq);
            long size = utf8Length(json);
            long deadline = System.nanoTime() + settings.appendTimeout().toNanos();
            while (!items.isEmpty()
                    && (items.size() >= settings.queueMessages() || bytes + size > settings.queueBytes())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AppenderFullException("the appender of task " + taskId + " stayed full for "
                            + settings.appendTimeout().toMillis() + " ms (" + items.size() + " messages, " + bytes
                            + " bytes unacknowledged)");
                }
                changed.awaitNanos(left);
                checkOpen();
            }
            nextSeq = Math.max(nextSeq, seq + 1);
            items.addLast(new Item(seq, json, size, System.nanoTime()));
            bytes += size;
            added++;
            // The sender waits untimed while the queue is empty, and until the oldest message is due otherwise.
            if (items.size() == 1 || items.size() >= settings.batchMessages()) {
                changed.signalAll();
            }
            return seq;
        } catch (InterruptedException e) {
            throw ApiTransport.interrupted("appending to task " + taskId, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a batch is due (full, its oldest message old enough, a flush or the close asked
     * for) and returns it, still queued until {@link #acknowledge}d; empty once closed and drained,
     * or failed.
     */
    List<Item> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (failure != null || (items.isEmpty() && closing)) {
                    return List.of();
                }
                if (items.isEmpty()) {
                    changed.await();
                    continue;
                }
                long due = items.peekFirst().queuedNanos()
                        + settings.flushInterval().toNanos()
                        - System.nanoTime();
                if (items.size() >= settings.batchMessages() || flushWaiters > 0 || closing || due <= 0) {
                    return firstBatch();
                }
                changed.awaitNanos(due);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The batch handed out last was stored: drops it from the queue and wakes whoever waits for room or a flush. */
    void acknowledge(int count) {
        lock.lock();
        try {
            for (int i = 0; i < count; i++) {
                bytes -= items.removeFirst().bytes();
            }
            acknowledged += count;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The sender gave up: every waiting and later call throws {@code cause}. */
    void fail(StrataException cause) {
        lock.lock();
        try {
            failure = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every message added before this call is acknowledged. */
    void awaitAcknowledged() {
        lock.lock();
        try {
            long target = added;
            flushWaiters++;
            changed.signalAll();
            try {
                while (acknowledged < target) {
                    if (failure != null) {
                        throw failure;
                    }
                    changed.await();
                }
            } finally {
                flushWaiters--;
            }
        } catch (InterruptedException e) {
            throw ApiTransport.interrupted("flushing task " + taskId, e);
        } finally {
            lock.unlock();
        }
    }

    /** No more adds; the sender sends what is queued without waiting, then stops. */
    void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Messages queued and not yet acknowledged. */
    int pending() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    private List<Item> firstBatch() {
        List<Item> batch = new ArrayList<>(Math.min(items.size(), settings.batchMessages()));
        long batchBytes = 0;
        for (Item item : items) {
            if (batch.size() == settings.batchMessages()
                    || (!batch.isEmpty() && batchBytes + item.bytes() > settings.batchBytes())) {
                break;
            }
            batch.add(item);
            batchBytes += item.bytes();
        }
        return batch;
    }

    private void checkOpen() {
        if (failure != null) {
            throw failure;
        }
        if (closing) {
            throw new IllegalStateException("the appender of task " + taskId + " is closed");
        }
    }

    private static long utf8Length(String text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return length;
    }
}
