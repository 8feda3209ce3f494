package dev.strata.server.workspace;

import java.util.Locale;

/** Where a task is in its life; the wire form is the lower-case name. */
public enum TaskStatus {
    QUEUED, DISPATCHED, RUNNING, COMPLETED, FAILED, CANCELLED, SUPERSEDED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
