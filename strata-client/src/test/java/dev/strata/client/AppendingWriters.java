package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

/**
 * Application threads as daemons run them: one per task, each handing {@code messagesPerTask}
 * numbered messages to its own appender, then completing the task. What they handed over is
 * known exactly, so a test can check every message was stored exactly once.
 */
final class AppendingWriters {
    private final List<String> tasks;
    private final int messagesPerTask;
    private final List<Appender> appenders = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** Opens an appender per task on {@code client} and starts appending. */
    AppendingWriters(StrataClient client, List<String> tasks, int messagesPerTask) {
        this.tasks = List.copyOf(tasks);
        this.messagesPerTask = messagesPerTask;
        for (String task : tasks) {
            Appender appender = client.appender(task);
            appenders.add(appender);
            threads.add(Thread.ofVirtual().name("writer-" + task).start(() -> write(appender)));
        }
    }

    /** The content of message {@code seq} of {@code task}. */
    static String content(String task, long seq) {
        return task + " message " + seq + " \"é\"";
    }

    /** Messages handed over and not yet acknowledged, over all tasks. */
    int pending() {
        return appenders.stream().mapToInt(Appender::pending).sum();
    }

    /** Waits until every writer completed its task; fails the test with a writer's failure. */
    void awaitCompleted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            assertThat(thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))
                    .as("writer %s finished within %s", thread.getName(), timeout)
                    .isTrue();
        }
        assertThat(failures).as("writers' failures").isEmpty();
    }

    /** Every message handed over is stored exactly once, with its content, and nothing else is. */
    void assertStoredExactlyOnce(StrataClient reader) {
        for (String task : tasks) {
            List<String> expected = IntStream.rangeClosed(1, messagesPerTask)
                    .mapToObj(seq -> seq + " " + content(task, seq))
                    .toList();
            assertThat(reader.listAll(task, MessageQuery.allTypes().withLimit(1000)).stream()
                            .map(message -> message.seq() + " " + message.content())
                            .toList())
                    .as("messages stored for task %s", task)
                    .containsExactlyElementsOf(expected);
        }
    }

    private void write(Appender appender) {
        try {
            for (int seq = 1; seq <= messagesPerTask; seq++) {
                appender.append(NewMessage.of(seq % 5 == 0 ? "tool-use" : "text", content(appender.taskId(), seq)));
            }
            appender.complete("done");
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
