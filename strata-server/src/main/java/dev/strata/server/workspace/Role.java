package dev.strata.server.workspace;

import java.util.Locale;

/**
 * A member's role in a workspace. A member reads tasks and messages, creates conversations and
 * tasks and follows live tails; an owner may also delete conversations and tasks, change the
 * workspace's retention and see its storage statistics (the README's "Tokens and roles" matrix).
 */
public enum Role {
    OWNER,
    MEMBER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException when {@code wireName} names no role */
    public static Role fromWireName(String wireName) {
        return switch (wireName) {
            case "owner" -> OWNER;
            case "member" -> MEMBER;
            default -> throw new IllegalArgumentException("unknown role '" + wireName + "'");
        };
    }
}
