package dev.strata.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * What the soak's writers do, and what they learn: mixed appends (new seqs, and replays that
 * overlap what other writers sent), reads that check every acknowledged message, completes and
 * deletes, each retried as is on a 503 or no answer. Every answer that breaks a promise is
 * recorded as a problem. Thread-safe.
 */
final class SoakWorkload {
    private static final int MAX_TASK_LENGTH = 1500;

    private final SoakClient client;
    private final int writers;
    private final SoakCalls calls;
    private final List<SoakTask> live = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private final SoakStats stats = new SoakStats();

    /** @param giveUpAt {@link System#nanoTime()} after which a request that keeps getting 503 is abandoned */
    SoakWorkload(SoakClient client, int writers, long giveUpAt) {
        this.client = client;
        this.writers = writers;
        this.calls = new SoakCalls(giveUpAt, stats);
    }

    /** One step of one writer. */
    void step(SplittableRandom random) {
        if (count(task -> task.state() == SoakTask.State.OPEN) < 2 * writers) {
            create();
            return;
        }
        int dice = random.nextInt(100);
        if (dice < 55) {
            SoakTask task = pick(random, t -> t.state() == SoakTask.State.OPEN);
            if (task != null) {
                append(task, random);
            }
        } else if (dice < 80) {
            read(pick(random, t -> t.state() == SoakTask.State.OPEN || t.state() == SoakTask.State.COMPLETED), random);
        } else if (dice < 84) {
            complete(pick(random, t -> t.state() == SoakTask.State.OPEN && t.lastAllocated() >= 100));
        } else if (dice < 90 && count(t -> true) > 6 * writers) {
            SoakTask task = pick(random, t -> t.state() == SoakTask.State.COMPLETED);
            delete(task != null ? task : pick(random, t -> t.state() == SoakTask.State.OPEN));
        } else {
            summary(pick(random, t -> t.state() == SoakTask.State.OPEN || t.state() == SoakTask.State.COMPLETED));
        }
    }

    private void create() {
        SoakClient.Response response = calls.untilAnswered("create", client::createTask);
        if (response.status() == 201) {
            synchronized (live) {
                live.add(new SoakTask(response.json().path("id").asText()));
            }
        } else if (!response.retryable()) {
            calls.problem("create task answered " + response.status() + " " + response.body());
        }
    }

    private void append(SoakTask task, SplittableRandom random) {
        long from;
        long to;
        if (random.nextInt(8) == 0 && task.lastAllocated() >= 1) {
            // A replay overlapping what this or another writer sent: counted as duplicates, first write wins.
            to = task.lastAllocated();
            from = Math.max(1, to - random.nextInt(1, 30) + 1);
        } else {
            int size = random.nextInt(1, 21);
            from = task.allocate(size);
            to = from + size - 1;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        var messages = body.putArray("messages");
        for (long seq = from; seq <= to; seq++) {
            messages.add(SoakTask.message(task.id, seq));
        }
        byte[] bytes = SoakClient.json(body);
        SoakClient.Response response = calls.untilAnswered("append", () -> client.append(task.id, bytes));
        switch (response.status()) {
            case 200 -> {
                JsonNode result = response.json();
                long answered = result.path("accepted").asLong()
                        + result.path("duplicates").asLong()
                        + result.path("dropped").asLong();
                if (answered != to - from + 1 || result.path("dropped").asLong() != 0) {
                    calls.problem(
                            "append of seqs " + from + ".." + to + " to " + task.id + " answered " + response.body());
                }
                task.acknowledge(from, to);
                calls.add("messages acknowledged (with replays)", to - from + 1);
            }
            case 404 -> calls.expectEnded(task, "append", response);
            default -> {
                if (response.retryable()) {
                    calls.add("append abandoned after retrying until the end", 1);
                } else if (task.state() == SoakTask.State.OPEN) {
                    calls.problem("append to " + task.id + " answered " + response.status() + " " + response.body());
                } else {
                    calls.add("append after the end refused with " + response.status(), 1);
                }
            }
        }
        if (task.lastAllocated() > MAX_TASK_LENGTH) {
            complete(task);
        }
    }

    /** A full read, or (half the time) a poll of what came after a recent seq, as a watching UI does. */
    private void read(SoakTask task, SplittableRandom random) {
        if (task == null) {
            return;
        }
        BitSet acknowledged = task.acknowledgedSnapshot();
        long since = random.nextBoolean() ? -1 : Math.max(0, task.lastAllocated() - random.nextInt(1, 60));
        BitSet stored = readAll(task, since, false);
        if (stored == null) {
            return;
        }
        if (since > 0) {
            acknowledged.clear(0, (int) since + 1);
        }
        acknowledged.andNot(stored);
        if (!acknowledged.isEmpty()) {
            calls.problem("read of " + task.id + " lacks acknowledged seqs " + acknowledged);
        }
    }

    /**
     * Reads every message of a task after {@code since} (all when negative), checking each against what was sent.
     *
     * @param untilAnswered retry on 503 (the final check) instead of counting it and giving up (a live read)
     * @return the seqs read, or null when the read was refused
     */
    BitSet readAll(SoakTask task, long since, boolean untilAnswered) {
        BitSet seqs = new BitSet();
        while (true) {
            long after = since;
            SoakClient.Response response = untilAnswered
                    ? calls.untilAnswered("read", () -> client.messages(task.id, after))
                    : calls.counted("read", client.messages(task.id, after));
            if (response.status() == 404) {
                calls.expectEnded(task, "read", response);
                return null;
            }
            if (response.status() != 200) {
                if (!response.retryable()) {
                    calls.problem("read of " + task.id + " answered " + response.status() + " " + response.body());
                }
                return null;
            }
            JsonNode page = response.json();
            for (JsonNode message : page) {
                long seq = message.path("seq").asLong(-1);
                String difference = SoakTask.difference(task.id, message);
                if (difference != null) {
                    calls.problem(difference);
                }
                if (seq < 1 || seq > task.lastAllocated() || seq <= after) {
                    calls.problem("read of " + task.id + " served seq " + seq + ", never sent");
                } else if (seqs.get((int) seq)) {
                    calls.problem("read of " + task.id + " served seq " + seq + " twice");
                } else {
                    seqs.set((int) seq);
                }
                since = seq;
            }
            if (!"true".equals(response.hasMore().orElse("false")) || page.isEmpty()) {
                return seqs;
            }
        }
    }

    private void summary(SoakTask task) {
        if (task == null) {
            return;
        }
        long acknowledged = task.acknowledgedSnapshot().cardinality();
        SoakClient.Response response = calls.counted("task", client.task(task.id));
        if (response.status() == 200 && response.json().path("message_count").asLong() < acknowledged) {
            calls.problem("task " + task.id + " counts " + response.json().path("message_count") + " messages, "
                    + acknowledged + " acknowledged");
        } else if (response.status() == 404) {
            calls.expectEnded(task, "task", response);
        } else if (response.status() != 200 && !response.retryable()) {
            calls.problem("task " + task.id + " answered " + response.status() + " " + response.body());
        }
    }

    private void complete(SoakTask task) {
        if (task == null || !task.moveTo(SoakTask.State.OPEN, SoakTask.State.COMPLETING)) {
            return;
        }
        SoakClient.Response response = calls.untilAnswered("complete", () -> client.complete(task.id));
        if (response.status() == 200) {
            task.moveTo(SoakTask.State.COMPLETING, SoakTask.State.COMPLETED);
        } else if (!response.retryable()) {
            calls.problem("complete of " + task.id + " answered " + response.status() + " " + response.body());
        }
    }

    private void delete(SoakTask task) {
        if (task == null) {
            return;
        }
        SoakTask.State was = task.state();
        if ((was != SoakTask.State.OPEN && was != SoakTask.State.COMPLETED)
                || !task.moveTo(was, SoakTask.State.DELETING)) {
            return;
        }
        SoakClient.Response response = calls.untilAnswered("delete", () -> client.delete(task.id));
        if (response.status() != 200) {
            if (!response.retryable()) {
                calls.problem("delete of " + task.id + " answered " + response.status() + " " + response.body());
            }
            return;
        }
        task.force(SoakTask.State.DELETED);
        synchronized (live) {
            live.remove(task);
            deleted.add(task.id);
        }
        SoakClient.Response after = calls.untilAnswered("task", () -> client.task(task.id));
        if (after.status() != 404) {
            calls.problem("deleted task " + task.id + " answered " + after.status() + " " + after.body());
        }
    }

    private SoakTask pick(SplittableRandom random, Predicate<SoakTask> filter) {
        synchronized (live) {
            List<SoakTask> candidates = live.stream().filter(filter).toList();
            return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
        }
    }

    private int count(Predicate<SoakTask> filter) {
        synchronized (live) {
            return (int) live.stream().filter(filter).count();
        }
    }

    List<SoakTask> liveTasks() {
        synchronized (live) {
            return List.copyOf(live);
        }
    }

    List<String> deletedTasks() {
        synchronized (live) {
            return List.copyOf(deleted);
        }
    }

    /** How this workload's requests are sent, counted and retried; the final checks use it too. */
    SoakCalls calls() {
        return calls;
    }

    /** What happened so far. */
    SoakStats stats() {
        return stats;
    }
}
