package dev.strata.server.workspace;

import java.util.Locale;

/** A member's role in a workspace. */
public enum Role {
    OWNER,
    MEMBER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
