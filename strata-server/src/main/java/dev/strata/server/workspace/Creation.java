package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

/**
 * What a creation under a caller-chosen id did: created the record, or found one already under
 * that id (in any workspace), which it returns with the fields the request is compared on.
 *
 * @param record the new record, or the one that held the id already
 * @param text the existing record's prompt (task) or title (conversation)
 */
public record Creation<T>(Outcome outcome, T record, String text) {
    public enum Outcome {
        CREATED,
        EXISTED
    }

    public Creation {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(record, "record is null");
        requireNonNull(text, "text is null");
    }
}
