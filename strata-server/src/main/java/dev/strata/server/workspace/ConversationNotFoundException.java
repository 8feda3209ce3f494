package dev.strata.server.workspace;

/** A task was to be created in a conversation that does not exist, or was deleted meanwhile. */
public final class ConversationNotFoundException extends RuntimeException {
    public ConversationNotFoundException(String conversationId) {
        super("conversation not found: " + conversationId);
    }
}
