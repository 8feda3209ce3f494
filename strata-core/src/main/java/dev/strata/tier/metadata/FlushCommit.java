package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Everything one flush wrote: a shared object, already durable, and a frame in it per append.
 *
 * @param objectId the shared object's id; every frame must name it
 */
public record FlushCommit(long objectId, List<FrameCommit> frames) {
    public FlushCommit {
        frames = List.copyOf(requireNonNull(frames, "frames is null"));
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a flush commits at least one frame");
        }
        for (FrameCommit frame : frames) {
            if (frame.frame().objectId() != objectId || frame.frame().kind() != ObjectKind.SHARED) {
                throw new IllegalArgumentException("frame of task "
                        + frame.task().taskId() + " is not in shared object " + Long.toHexString(objectId));
            }
        }
    }
}
