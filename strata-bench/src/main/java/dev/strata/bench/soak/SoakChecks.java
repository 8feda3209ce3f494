package dev.strata.bench.soak;

import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.server.Strata;
import dev.strata.store.TaskMessageStore;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The soak's checks once the load has stopped and the faults are healed. */
final class SoakChecks {
    private SoakChecks() {}

    /** Acknowledged equals stored, for every task the soak knows. */
    static Map<String, Long> acknowledgedEqualsStored(SoakClient client, SoakWorkload workload, List<String> failed) {
        long problemsBefore = workload.stats().problemCount();
        long acknowledged = 0;
        long stored = 0;
        long storedUnacknowledged = 0;
        long missing = 0;
        long verified = 0;
        for (SoakTask task : workload.liveTasks()) {
            BitSet read = workload.readAll(task, -1, true);
            if (task.state() == SoakTask.State.DELETING) {
                continue;
            }
            BitSet expected = task.acknowledgedSnapshot();
            acknowledged += expected.cardinality();
            if (read == null) {
                failed.add("task " + task.id + " (" + task.state() + ") could not be read at the end");
                continue;
            }
            verified++;
            stored += read.cardinality();
            BitSet lost = (BitSet) expected.clone();
            lost.andNot(read);
            missing += lost.cardinality();
            if (!lost.isEmpty()) {
                failed.add("task " + task.id + " lost acknowledged seqs " + lost);
            }
            BitSet extra = (BitSet) read.clone();
            extra.andNot(expected);
            storedUnacknowledged += extra.cardinality();
            SoakClient.Response summary = workload.calls().untilAnswered("task", () -> client.task(task.id));
            long counted = summary.json().path("message_count").asLong(-1);
            if (counted != read.cardinality()) {
                failed.add("task " + task.id + " counts " + counted + " messages, serves " + read.cardinality());
            }
        }
        long deletedStillThere = 0;
        for (String id : workload.deletedTasks()) {
            SoakClient.Response task = workload.calls().untilAnswered("task", () -> client.task(id));
            SoakClient.Response messages = workload.calls().untilAnswered("read", () -> client.messages(id, -1));
            if (task.status() != 404 || messages.status() != 404) {
                deletedStillThere++;
                failed.add("deleted task " + id + " answers " + task.status() + " / " + messages.status());
            }
        }
        if (workload.stats().problemCount() > problemsBefore) {
            failed.add((workload.stats().problemCount() - problemsBefore)
                    + " messages read back differ from what was sent");
        }
        Map<String, Long> figures = new LinkedHashMap<>();
        figures.put("tasks verified", verified);
        figures.put("messages acknowledged", acknowledged);
        figures.put("acknowledged but not stored", missing);
        figures.put("messages stored", stored);
        figures.put("stored without an acknowledgement (a retry gave up)", storedUnacknowledged);
        figures.put("tasks deleted", (long) workload.deletedTasks().size());
        figures.put("deleted tasks still served", deletedStillThere);
        return figures;
    }

    /** Waits for compaction and queued deletions to settle, then runs fsck. */
    static FsckReport fsckWhenSettled(Strata strata) {
        TaskMessageStore store = strata.store();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline
                && (store.pendingDeletions() > 0
                        || !store.compactionCandidates(Integer.MAX_VALUE, 1).isEmpty())) {
            store.purgePendingDeletions();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return strata.fsck().run(Fsck.Mode.CHECK, done -> {});
    }
}
