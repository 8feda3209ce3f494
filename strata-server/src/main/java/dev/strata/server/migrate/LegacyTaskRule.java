package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.content.ContentKeys;
import java.time.Instant;
import java.util.Optional;

/**
 * Which legacy tasks a migration takes, and under which owner: shared by import and verify, so a
 * task the import leaves out is one verify expects to be absent. A task listed in
 * {@code agent_task_queue} keeps its workspace and conversation; a task missing from it (or every
 * task, without that table) goes to the default workspace, or is left out when none is given.
 */
final class LegacyTaskRule {
    /** How to include the tasks this rule leaves out, for summaries. */
    static final String INCLUDE_HINT =
            "to include them, give --default-workspace W to the bulk import (a later delta run takes only new rows)"
                    + " and to verify";

    private final boolean hasQueue;
    private final Optional<String> defaultWorkspace;

    /**
     * @throws InvalidInputException without {@code agent_task_queue} and without a default workspace:
     *     no task could be placed
     */
    LegacyTaskRule(boolean hasQueue, Optional<String> defaultWorkspace) {
        this.defaultWorkspace = requireNonNull(defaultWorkspace, "defaultWorkspace is null");
        if (!hasQueue && defaultWorkspace.isEmpty()) {
            throw new InvalidInputException(
                    "the legacy database has no agent_task_queue table: give --default-workspace");
        }
        this.hasQueue = hasQueue;
    }

    /**
     * What the rule decided for one task.
     *
     * @param unholdable the task's id cannot be a Strata task id (why), so its rows cannot be
     *     imported: verify counts them as missing rather than as left out by rule
     */
    record Decision(Optional<LegacyTask> owner, boolean included, Optional<String> unholdable) {
        /** The task's creation time from {@code agent_task_queue}, when listed there and readable. */
        Optional<Instant> createdAt() {
            return owner.flatMap(t -> LegacyConversion.parseTime(t.createdAt()));
        }
    }

    /** Decides for one task, counting a task missing from {@code agent_task_queue} as a quirk. */
    Decision decide(LegacyDatabase legacy, String taskId, Quirks quirks) {
        try {
            ContentKeys.requireValidTaskId(taskId);
        } catch (InvalidInputException e) {
            quirks.count(Quirks.TASK_ID_UNFIT);
            return new Decision(Optional.empty(), false, Optional.of(e.getMessage()));
        }
        Optional<LegacyTask> owner = hasQueue ? legacy.task(taskId) : Optional.empty();
        if (hasQueue && owner.isEmpty()) {
            quirks.count(Quirks.TASK_MISSING);
            return new Decision(owner, defaultWorkspace.isPresent(), Optional.empty());
        }
        return new Decision(owner, true, Optional.empty());
    }
}
