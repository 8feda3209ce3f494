package dev.strata.tier.metadata;

/**
 * Which kind of content object holds a frame; with the task id and object id it names the key
 * (see {@link SegmentKeys}). Stored as {@code tm_segment.object_kind} (see {@link #column()}).
 */
public enum ObjectKind {
    /**
     * A one-frame object of one task without an index: written by appends and compactions before
     * shared objects existed. Key {@code tasks/<task>/<id>.seg}; it has no {@code tm_object} row.
     */
    TASK,
    /** A write-ahead object one flush wrote with frames of many tasks. Key {@code shared/<id>.seg}. */
    SHARED,
    /** An object of one task that consolidation wrote as bounded frames with an index. Key {@code tasks/<task>/<id>.seg}. */
    CONSOLIDATED;

    /** @return the value of the {@code object_kind} column: 0, 1 or 2 */
    public int column() {
        return switch (this) {
            case TASK -> 0;
            case SHARED -> 1;
            case CONSOLIDATED -> 2;
        };
    }

    /** @return the kind an {@code object_kind} column value stands for */
    public static ObjectKind ofColumn(int column) {
        return switch (column) {
            case 0 -> TASK;
            case 1 -> SHARED;
            case 2 -> CONSOLIDATED;
            default -> throw new IllegalArgumentException("unknown object kind " + column);
        };
    }

    /** @return true for the kinds whose objects live under their task's prefix */
    public boolean ofOneTask() {
        return this != SHARED;
    }
}
