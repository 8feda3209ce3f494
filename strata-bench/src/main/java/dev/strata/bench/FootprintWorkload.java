package dev.strata.bench;

import static dev.strata.bench.WorkloadTools.runConcurrently;

import dev.strata.model.NewMessage;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.content.ContentKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Footprint figures: metadata and content bytes of many realistic tasks, before and after compaction. */
final class FootprintWorkload extends BenchWorkload {
    FootprintWorkload(BenchEnvironment environment, long seed, Sizes sizes, Consumer<String> log) {
        super(environment, seed, sizes, log);
    }

    /** Metadata and content footprint of many realistic tasks, then sealed and compacted. */
    Map<String, Object> footprint() {
        TaskMessageStore store = environment.store(false);
        TraceGenerator generator = new TraceGenerator(seed + 11);
        List<String> tasks = new ArrayList<>();
        List<List<NewMessage>> work = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        long messages = 0;
        long rawBytes = 0;
        while (messages < sizes.footprintMessages()) {
            String task = "footprint-" + tasks.size();
            int length = (int) Math.min(generator.taskLength(), sizes.footprintMessages() - messages);
            store.createTask(task);
            tasks.add(task);
            for (List<NewMessage> batch : generator.task(Math.max(1, length))) {
                work.add(batch);
                owners.add(task);
                messages += batch.size();
                rawBytes += batch.stream().mapToLong(TraceGenerator::rawBytes).sum();
            }
        }
        long puts = environment.requests("put");
        long written = environment.counter("strata.content.written.bytes");
        // Per task the batches go in order; tasks are spread over writers by task.
        Map<String, List<Integer>> byTask = new LinkedHashMap<>();
        for (int i = 0; i < work.size(); i++) {
            byTask.computeIfAbsent(owners.get(i), t -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> perTask = new ArrayList<>(byTask.values());
        AtomicLong done = new AtomicLong();
        double appendSeconds = runConcurrently(4, perTask.size(), t -> {
            for (int index : perTask.get(t)) {
                store.append(owners.get(index), work.get(index));
            }
            long total = done.addAndGet(perTask.get(t).size());
            if (t % 200 == 0) {
                log.accept("footprint: " + total + " of " + work.size() + " batches appended");
            }
        });
        long appendPuts = environment.requests("put") - puts;
        long appendBytes = environment.counter("strata.content.written.bytes") - written;
        long metadataBytes = environment.metadataBytes(false);
        long beforeCompaction =
                environment.requests("put") + environment.requests("get") + environment.requests("delete");
        long compactWritten = environment.counter("strata.content.written.bytes");
        double compactSeconds = runConcurrently(2, tasks.size(), i -> {
            store.seal(tasks.get(i));
            store.compact(tasks.get(i));
        });
        store.purgePendingDeletions();
        long metadataAfterCompaction = environment.metadataBytes(false);
        long metadataVacuumed = environment.metadataBytes(true);
        long compactionRequests = environment.requests("put")
                + environment.requests("get")
                + environment.requests("delete")
                - beforeCompaction;
        // Objects under each task's own prefix: a consolidated task is one object of several frames
        // (its live segment count is its frames); shared objects hold no task's prefix.
        long objects = 0;
        for (String task : tasks) {
            objects += environment.objectsUnder(ContentKeys.taskPrefix(task));
        }
        long storedBytes = environment.counter("strata.content.written.bytes") - compactWritten;
        long deleteBefore = environment.requests("delete");
        store.delete(tasks.subList(0, Math.max(1, tasks.size() / 10)));
        long deletedMessages = 0;
        long deleteRequests = environment.requests("delete") - deleteBefore;
        for (int i = 0; i < Math.max(1, tasks.size() / 10); i++) {
            deletedMessages += byTask.get(tasks.get(i)).stream()
                    .mapToLong(index -> work.get(index).size())
                    .sum();
        }
        store.close();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("messages", messages);
        result.put("tasks", tasks.size());
        result.put("append_seconds", appendSeconds);
        result.put("append_messages_per_second", messages / appendSeconds);
        result.put("metadata_bytes", metadataBytes);
        result.put("metadata_bytes_per_message", (double) metadataBytes / messages);
        result.put("metadata_bytes_per_message_after_compaction", (double) metadataAfterCompaction / messages);
        result.put("metadata_bytes_per_message_after_vacuum", (double) metadataVacuumed / messages);
        result.put("raw_message_bytes", rawBytes);
        result.put("content_bytes_per_message_before_compaction", (double) appendBytes / messages);
        result.put("content_bytes_per_message_after_compaction", (double) storedBytes / messages);
        result.put("compression_ratio", (double) rawBytes / storedBytes);
        result.put("objects_per_finished_task", (double) objects / tasks.size());
        result.put("content_puts_per_1000_appended_messages", appendPuts * 1000.0 / messages);
        result.put("compaction_seconds", compactSeconds);
        result.put("compaction_requests_per_1000_messages", compactionRequests * 1000.0 / messages);
        result.put("deletion_requests_per_1000_messages", deleteRequests * 1000.0 / Math.max(1, deletedMessages));
        return result;
    }
}
