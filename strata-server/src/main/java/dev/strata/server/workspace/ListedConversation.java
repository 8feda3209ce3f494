package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

/** A conversation as a conversation list shows it, with how many tasks are in it. */
public record ListedConversation(Conversation conversation, long taskCount) {
    public ListedConversation {
        requireNonNull(conversation, "conversation is null");
    }
}
