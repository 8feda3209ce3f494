package dev.strata.server.migrate;

import java.util.Optional;

/** A task as the legacy {@code agent_task_queue} describes it. */
record LegacyTask(String id, String workspaceId, Optional<String> conversationId, String status, String createdAt) {}
