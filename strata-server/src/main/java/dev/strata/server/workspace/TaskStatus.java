package dev.strata.server.workspace;

import java.util.Locale;

/** Where a task is in its life; the wire form is the lower-case name. */
public enum TaskStatus {
    QUEUED,
    DISPATCHED,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED,
    SUPERSEDED;

    /** @return true for the statuses a task ends in; an ended task never changes status again */
    public boolean ended() {
        return switch (this) {
            case QUEUED, DISPATCHED, RUNNING -> false;
            case COMPLETED, FAILED, CANCELLED, SUPERSEDED -> true;
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
