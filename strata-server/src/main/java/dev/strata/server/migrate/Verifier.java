package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.model.StrataException;
import dev.strata.model.TaskMessage;
import dev.strata.store.TaskMessageStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Compares every legacy row with what Strata serves, by the same rules the import applied: kept
 * rows must match in type, tool, call id, content, output, input (as JSON) and creation time;
 * rows left out by rule (dropped types, later duplicates) must be absent. Content is compared
 * through the checksummed segments Strata reads, one task at a time.
 */
public final class Verifier {
    /**
     * The outcome; {@code passed} only when nothing is missing, extra or different.
     *
     * @param tasksSkipped tasks the import rules leave out ({@code rowsSkipped} rows), checked to be absent
     * @param source what the legacy source held when the verify started: finalize refuses once it changed
     */
    public record Result(
            long tasks,
            long rowsChecked,
            long matched,
            long missing,
            long mismatched,
            long unexpected,
            long tasksSkipped,
            long rowsSkipped,
            List<String> examples,
            Fingerprint source) {
        public boolean passed() {
            return missing == 0 && mismatched == 0 && unexpected == 0;
        }
    }

    /**
     * A legacy source's row count and high-water mark (SQLite's largest rowid, PostgreSQL's newest
     * {@code created_at}): any row added, or removed and replaced, since changes one of them.
     */
    public record Fingerprint(long rows, String highWater) {
        public Fingerprint {
            requireNonNull(highWater, "highWater is null");
        }
    }

    /** How to include the tasks the rules leave out, for the summary. */
    public static final String INCLUDE_HINT = LegacyTaskRule.INCLUDE_HINT;

    private final TaskMessageStore store;
    private final Set<String> dropTypes;

    /** Reads back through {@code store}; {@code dropTypes} are the types the import left out. */
    public Verifier(TaskMessageStore store, Set<String> dropTypes) {
        this.store = requireNonNull(store, "store is null");
        this.dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
    }

    /**
     * @param defaultWorkspace as given to the import: tasks missing from {@code agent_task_queue} are
     *     expected in Strata only with it
     */
    public Result run(String from, Optional<String> defaultWorkspace, boolean keepAllTypes, LongConsumer rowsProgress) {
        LegacyConversion conversion = new LegacyConversion(keepAllTypes ? Set.of() : dropTypes);
        long tasks = 0;
        long rows = 0;
        long matched = 0;
        long missing = 0;
        long mismatched = 0;
        long unexpected = 0;
        long tasksSkipped = 0;
        long rowsSkipped = 0;
        Quirks quirks = new Quirks();
        List<String> examples = new ArrayList<>();
        Fingerprint source;
        try (LegacyDatabase legacy = new LegacyDatabase(from)) {
            // Taken first: a row added while the verify runs changes it, so finalize refuses.
            source = legacy.fingerprint();
            LegacyTaskRule rule = new LegacyTaskRule(legacy.hasTaskQueue(), defaultWorkspace);
            long withoutTask = legacy.countRowsWithoutTask();
            if (withoutTask > 0) {
                rows += withoutTask;
                missing += withoutTask;
                example(examples, withoutTask + " rows have no task_id (NULL or empty): no task can hold them");
            }
            String after = "";
            for (List<String> page = legacy.taskIdsAfter(after, 500);
                    !page.isEmpty();
                    page = legacy.taskIdsAfter(after, 500)) {
                for (String taskId : page) {
                    after = taskId;
                    tasks++;
                    List<LegacyRow> legacyRows = new ArrayList<>();
                    legacy.forEachRow(taskId, Optional.empty(), legacyRows::add);
                    rows += legacyRows.size();
                    rowsProgress.accept(rows);
                    LegacyTaskRule.Decision decision = rule.decide(legacy, taskId, quirks);
                    if (decision.unholdable().isPresent()) {
                        missing += legacyRows.size();
                        example(
                                examples,
                                "task " + taskId + ": its " + legacyRows.size() + " rows cannot be imported ("
                                        + decision.unholdable().get() + ")");
                        continue;
                    }
                    if (!decision.included()) {
                        tasksSkipped++;
                        rowsSkipped += legacyRows.size();
                    }
                    List<TaskMessage> expected = decision.included()
                            ? conversion.select(legacyRows, decision.createdAt(), quirks, new long[1])
                            : List.of();
                    Map<Long, TaskMessage> actual = new HashMap<>();
                    try {
                        store.forEachMessage(taskId, MessageQuery.all(), m -> actual.put(m.seq(), m));
                    } catch (StrataException e) {
                        if (!expected.isEmpty()) {
                            missing += expected.size();
                            example(examples, "task " + taskId + ": not readable in Strata (" + e.getMessage() + ")");
                        }
                        continue;
                    }
                    for (TaskMessage want : expected) {
                        TaskMessage got = actual.remove(want.seq());
                        if (got == null) {
                            missing++;
                            example(examples, "task " + taskId + " seq " + want.seq() + ": missing in Strata");
                        } else if (!same(want, got)) {
                            mismatched++;
                            example(
                                    examples,
                                    "task " + taskId + " seq " + want.seq() + ": differs (" + difference(want, got)
                                            + ")");
                        } else {
                            matched++;
                        }
                    }
                    unexpected += actual.size();
                    actual.keySet().stream()
                            .limit(3)
                            .forEach(seq -> example(
                                    examples, "task " + taskId + " seq " + seq + ": in Strata but not expected"));
                }
            }
        }
        return new Result(
                tasks, rows, matched, missing, mismatched, unexpected, tasksSkipped, rowsSkipped, examples, source);
    }

    private static boolean same(TaskMessage want, TaskMessage got) {
        return difference(want, got).isEmpty();
    }

    private static String difference(TaskMessage want, TaskMessage got) {
        List<String> fields = new ArrayList<>();
        if (!want.type().equals(got.type())) {
            fields.add("type");
        }
        if (!want.tool().equals(got.tool())) {
            fields.add("tool");
        }
        if (!want.callId().equals(got.callId())) {
            fields.add("call_id");
        }
        if (!want.content().equals(got.content())) {
            fields.add("content");
        }
        if (!want.output().equals(got.output())) {
            fields.add("output");
        }
        if (!LegacyConversion.sameJson(want.input(), got.input())) {
            fields.add("input");
        }
        if (want.createdAt().toEpochMilli() != got.createdAt().toEpochMilli()) {
            fields.add("created_at");
        }
        return String.join(", ", fields);
    }

    private static void example(List<String> examples, String line) {
        if (examples.size() < 50) {
            examples.add(line);
        }
    }
}
