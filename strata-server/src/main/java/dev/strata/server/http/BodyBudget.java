package dev.strata.server.http;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory all request bodies being buffered at once may hold. A request reserves bytes as they
 * arrive and releases them when it ends; when the budget is spent, a reservation waits briefly for
 * others to finish, then is refused, so many slow or large uploads cannot exhaust the heap.
 * Thread-safe.
 */
final class BodyBudget {
    private final long capacity;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long reserved;

    BodyBudget(long capacity, Duration maxWait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.maxWait = maxWait;
    }

    /**
     * Reserves {@code bytes}, waiting at most the configured time for other requests to release
     * theirs.
     *
     * @throws ApiException.ServiceUnavailable when the budget stays spent
     */
    void reserve(long bytes) {
        if (bytes <= 0) {
            return;
        }
        lock.lock();
        try {
            long waitNanos = maxWait.toNanos();
            while (reserved + bytes > capacity) {
                if (waitNanos <= 0) {
                    throw new ApiException.ServiceUnavailable(
                            "server busy: too many request bodies in flight; retry later");
                }
                waitNanos = released.awaitNanos(waitNanos);
            }
            reserved += bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.ServiceUnavailable("server busy: interrupted while waiting for request body memory");
        } finally {
            lock.unlock();
        }
    }

    /** Returns bytes reserved earlier. */
    void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        lock.lock();
        try {
            reserved = Math.max(0, reserved - bytes);
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes reserved now, for metrics and tests. */
    long reserved() {
        lock.lock();
        try {
            return reserved;
        } finally {
            lock.unlock();
        }
    }

    long capacity() {
        return capacity;
    }
}
