package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Appends one task's messages in batches, from any number of application threads.
 *
 * <p>{@link #append} queues a message and returns at once with its seq (the appender assigns
 * increasing seqs from the first one unless the message brings its own). One sender thread sends
 * a batch when it has {@link AppenderSettings#batchMessages()} messages or its oldest has waited
 * {@link AppenderSettings#flushInterval()}, and sends the next only after Strata acknowledged it:
 * the client never races its own seqs. A batch that fails transiently (503, timeouts, connection
 * errors) is sent again, unchanged, with backoff, which is safe since Strata keeps the first write
 * of each (task, seq). A batch Strata refuses for good (a 4xx, say a wrong token) or one the
 * {@link RetryPolicy} gives up on stops the appender: the messages still queued are not stored, and
 * every later call throws that failure. A full queue makes {@code append} wait, then throw
 * {@link AppenderFullException}.
 *
 * <p>{@link #flush()} waits until everything appended before is stored, {@link #close()} flushes
 * and stops, and {@link #complete} / {@link #fail} flush, stop and end the task. Thread-safe.
 */
public final class Appender implements AutoCloseable {
    private final String taskId;
    private final TaskEndpoints endpoints;
    private final AppendQueue queue;
    private final Consumer<Appender> onClose;
    private final Thread sender;
    private final AtomicReference<AppendTotals> totals = new AtomicReference<>(AppendTotals.NONE);
    private final AtomicBoolean closed = new AtomicBoolean();

    Appender(
            String taskId,
            long firstSeq,
            AppenderSettings settings,
            TaskEndpoints endpoints,
            Consumer<Appender> onClose) {
        this.taskId = requireNonNull(taskId, "taskId is null");
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.onClose = requireNonNull(onClose, "onClose is null");
        this.queue = new AppendQueue(taskId, settings, firstSeq);
        this.sender = Thread.ofVirtual().name("strata-appender-" + taskId).start(this::sendBatches);
    }

    public String taskId() {
        return taskId;
    }

    /**
     * Queues the message and returns its seq. Waits while the queue is full, up to the append
     * timeout; throws the appender's failure once it has stopped.
     */
    public long append(NewMessage message) {
        return queue.add(requireNonNull(message, "message is null"));
    }

    /** Waits until every message appended before this call is stored; throws the appender's failure if it stopped. */
    public void flush() {
        queue.awaitAcknowledged();
    }

    /** Messages appended and not yet acknowledged by Strata. */
    public int pending() {
        return queue.pending();
    }

    /** Strata's answers to the batches sent so far, summed. */
    public AppendTotals totals() {
        return totals.get();
    }

    /** Stores everything appended, stops, and completes the task with {@code output}. */
    public void complete(String output) {
        close();
        endpoints.finish(taskId, "complete", "output", requireNonNull(output, "output is null"));
    }

    /** Stores everything appended, stops, and fails the task with {@code error}. */
    public void fail(String error) {
        close();
        endpoints.finish(taskId, "fail", "error", requireNonNull(error, "error is null"));
    }

    /**
     * Stores everything appended, then stops; later appends throw. Throws the appender's failure
     * if it stopped before everything was stored. Repeating it does nothing more.
     */
    @Override
    public void close() {
        queue.close();
        try {
            sender.join();
        } catch (InterruptedException e) {
            throw ApiTransport.interrupted("closing the appender of task " + taskId, e);
        } finally {
            if (closed.compareAndSet(false, true)) {
                onClose.accept(this);
            }
        }
        queue.awaitAcknowledged();
    }

    private void sendBatches() {
        try {
            for (List<AppendQueue.Item> batch = queue.nextBatch(); !batch.isEmpty(); batch = queue.nextBatch()) {
                StringBuilder body = new StringBuilder("{\"messages\":[");
                for (int i = 0; i < batch.size(); i++) {
                    body.append(i == 0 ? "" : ",").append(batch.get(i).json());
                }
                AppendTotals answer = endpoints.append(taskId, body.append("]}").toString());
                totals.accumulateAndGet(answer, AppendTotals::plus);
                queue.acknowledge(batch.size());
            }
        } catch (StrataException e) {
            queue.fail(e);
        } catch (InterruptedException e) {
            queue.fail(new StrataException("the appender of task " + taskId + " was interrupted", e));
        } catch (RuntimeException e) {
            queue.fail(new StrataException("the appender of task " + taskId + " failed: " + e, e));
        }
    }
}
