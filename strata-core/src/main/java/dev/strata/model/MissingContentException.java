package dev.strata.model;

/**
 * A content object that committed metadata references is not in the content tier: the task was
 * deleted under a read, compaction replaced the object and its grace ran out, or the object was
 * lost. A read that meets it looks again once before giving up.
 */
public final class MissingContentException extends StrataException {
    public MissingContentException(String message) {
        super(message);
    }
}
