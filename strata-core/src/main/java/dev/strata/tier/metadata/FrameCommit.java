package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/** One append's frame in a flush: the task as the append read it, and the frame to commit for it. */
public record FrameCommit(TaskRecord task, SegmentCommit frame) {
    public FrameCommit {
        requireNonNull(task, "task is null");
        requireNonNull(frame, "frame is null");
        if (frame.taskKey() != task.taskKey()) {
            throw new IllegalArgumentException("frame for task key " + frame.taskKey() + " committed to task "
                    + task.taskId() + " (key " + task.taskKey() + ")");
        }
    }
}
