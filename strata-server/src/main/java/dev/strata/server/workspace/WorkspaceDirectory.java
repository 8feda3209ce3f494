package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.TaskTimes;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Workspaces, users, memberships, conversations and tasks: the records messages belong to, in the
 * same database as the store's metadata, whose tasks it reaches only through {@link TaskTimes}.
 * Each job lives in its own class ({@link Memberships}, {@link Conversations}, {@link TaskRecords},
 * {@link Housekeeping}, {@link TaskListing}, {@link ConversationListing}); this is the one entry
 * point the server uses. Every method throws
 * {@link dev.strata.model.BackendUnavailableException} when the database fails. Thread-safe.
 */
public final class WorkspaceDirectory {
    private final Memberships memberships;
    private final Conversations conversations;
    private final TaskRecords tasks;
    private final Housekeeping housekeeping;
    private final TaskListing taskListing;
    private final ConversationListing conversationListing;

    /**
     * Applies the server's migrations.
     *
     * @param storeTasks the store's view of its tasks, asked by {@link #forgottenStoreTasks} and {@link #inactiveTasks}
     */
    public WorkspaceDirectory(Database database, TaskTimes storeTasks, Clock clock) {
        requireNonNull(database, "database is null");
        requireNonNull(clock, "clock is null");
        database.migrate("db/server", "strata_server_schema_history");
        this.memberships = new Memberships(database, clock);
        this.conversations = new Conversations(database, clock);
        this.tasks = new TaskRecords(database, clock);
        this.housekeeping = new Housekeeping(database, tasks, storeTasks);
        this.taskListing = new TaskListing(database, storeTasks, new TaskSnapshots(database, clock));
        this.conversationListing = new ConversationListing(database);
    }

    public Workspace createWorkspace(String name) {
        return memberships.createWorkspace(name);
    }

    public Optional<Workspace> workspace(String id) {
        return memberships.workspace(id);
    }

    /** @throws InvalidInputException when a user with that email exists */
    public User createUser(String email, String name) {
        return memberships.createUser(email, name);
    }

    public Optional<User> user(String id) {
        return memberships.user(id);
    }

    /** Adds or updates a membership. */
    public void addMember(String workspaceId, String userId, Role role) {
        memberships.addMember(workspaceId, userId, role);
    }

    /** Ends a membership; absent ones are ignored. Open live tails of the user end within a heartbeat. */
    public void removeMember(String workspaceId, String userId) {
        memberships.removeMember(workspaceId, userId);
    }

    public boolean isMember(String workspaceId, String userId) {
        return memberships.isMember(workspaceId, userId);
    }

    /** @return the workspaces the user is a member of, with the user's role in each, by name */
    public List<Membership> membershipsOf(String userId) {
        return memberships.membershipsOf(userId);
    }

    /** @return the user's role in the workspace; empty when the user is not a member */
    public Optional<Role> role(String workspaceId, String userId) {
        return memberships.role(workspaceId, userId);
    }

    public Conversation createConversation(String workspaceId, String title) {
        return conversations.createConversation(workspaceId, title);
    }

    /**
     * Creates a conversation under a caller-chosen id, unless a conversation (of any workspace)
     * has that id: then nothing changes and that one is returned, for the caller to compare.
     */
    public Creation<Conversation> createConversation(String id, String workspaceId, String title) {
        return conversations.createUnlessPresent(id, workspaceId, title);
    }

    /** @return the conversation, only if it belongs to the workspace */
    public Optional<Conversation> conversation(String workspaceId, String id) {
        return conversations.conversation(workspaceId, id);
    }

    /**
     * Creates a task, in a conversation if one is given. The conversation is checked and locked in
     * the same transaction as the insert, so a task is never created in a conversation whose
     * delete has passed its final step (see {@link #deleteConversation}).
     *
     * @throws ConversationNotFoundException when the conversation does not exist (any more) in the workspace
     */
    public Task createTask(String taskId, String workspaceId, Optional<String> conversationId, String prompt) {
        return tasks.createTask(taskId, workspaceId, conversationId, prompt);
    }

    /**
     * Creates a task under a caller-chosen id (the store's task must exist already), unless a task
     * of any workspace has that id: then nothing changes and that one is returned, with its prompt,
     * for the caller to compare. Concurrent creations of one id all see the same winner.
     *
     * @throws ConversationNotFoundException when no task has the id and the conversation does not exist (any more)
     */
    public Creation<Task> createTaskUnlessPresent(
            String taskId, String workspaceId, Optional<String> conversationId, String prompt) {
        return tasks.createUnlessPresent(taskId, workspaceId, conversationId, prompt);
    }

    /** @return the task holding this id in any workspace, with its prompt; for creations under a caller-chosen id */
    public Optional<Creation<Task>> existingTask(String taskId) {
        return tasks.existing(taskId);
    }

    /** @return the task, only if it belongs to the workspace */
    public Optional<Task> task(String workspaceId, String id) {
        return tasks.task(workspaceId, id);
    }

    /** Up to {@code limit} tasks of the workspace with ids after {@code afterId}, in id order: a page of a full scan (exports). */
    public List<Task> tasksOf(String workspaceId, String afterId, int limit) {
        return tasks.tasksOf(workspaceId, afterId, limit);
    }

    /** @return those of {@code ids} that are tasks of the workspace */
    public Set<String> taskIdsIn(String workspaceId, Collection<String> ids) {
        return tasks.taskIdsIn(workspaceId, ids);
    }

    /**
     * One page of the workspace's tasks, most recent activity first (the later of the newest
     * message and the last status change). Paging on with the cursors shows every task that was in
     * the list when its first page was read exactly once, however appends reorder them meanwhile
     * (see {@link TaskListing}).
     *
     * @param cursor the previous page's {@link ListPage#nextCursor}, empty for the first page
     * @throws InvalidInputException when the cursor is not one, expired, or was made for another
     *     workspace or filter
     */
    public ListPage<ListedTask> listTasks(String workspaceId, TaskFilter filter, int limit, Optional<String> cursor) {
        return taskListing.list(workspaceId, filter, limit, cursor);
    }

    /**
     * One page of the workspace's conversations, newest first, with their task counts.
     *
     * @param cursor the previous page's {@link ListPage#nextCursor}, empty for the first page
     * @throws InvalidInputException when the cursor is not one, or belongs to another workspace
     */
    public ListPage<ListedConversation> listConversations(String workspaceId, int limit, Optional<String> cursor) {
        return conversationListing.list(workspaceId, limit, cursor);
    }

    public List<String> taskIdsOfConversation(String conversationId) {
        return tasks.taskIdsOfConversation(conversationId);
    }

    /** What {@link #finishTask} did. */
    public enum FinishOutcome {
        /** The task ended now, with this status and result. */
        ENDED,
        /** The task had already ended with this status; nothing changed (its first result stays). */
        ALREADY_ENDED_SO,
        /** The task had already ended with another status; nothing changed. */
        ENDED_OTHERWISE,
        /** No such task. */
        NOT_FOUND
    }

    /**
     * Ends a task as completed or failed, keeping the daemon's output or error text. The first end
     * wins: a task that has ended never changes status or result again.
     */
    public FinishOutcome finishTask(String taskId, TaskStatus status, String result) {
        return tasks.finishTask(taskId, status, result);
    }

    public void deleteTasks(Collection<String> taskIds) {
        tasks.deleteTasks(taskIds);
    }

    /** What {@link #deleteConversation} does when the conversation still has tasks besides those deleted. */
    public enum WhenTasksRemain {
        /** Keep the conversation (and those tasks): the caller deletes them and tries again. */
        KEEP_CONVERSATION,
        /** Delete the conversation anyway, so no task can be created in it any more; the caller deletes the rest. */
        DELETE_CONVERSATION
    }

    /**
     * The last step of a conversation's delete, in one transaction that locks the conversation
     * row: removes the rows of {@code deletedTaskIds} (whose store data the caller has deleted), then
     * either removes the conversation, when no other task is in it, or follows {@code whenTasksRemain}.
     * A task created concurrently either committed before the lock (and is among the remaining
     * ones) or fails afterwards with {@link ConversationNotFoundException}.
     *
     * @return the conversation's remaining task ids: empty when the conversation was deleted with
     *     nothing left; with {@link WhenTasksRemain#DELETE_CONVERSATION} the caller must delete these
     */
    public List<String> deleteConversation(
            String conversationId, Collection<String> deletedTaskIds, WhenTasksRemain whenTasksRemain) {
        return conversations.deleteConversation(conversationId, deletedTaskIds, whenTasksRemain);
    }

    /**
     * Store tasks that have no task row here: the leftovers of a creation or delete a crash
     * interrupted. Only those the store created before {@code createdBefore} count, since a
     * creation writes the store's row first.
     */
    public Set<String> forgottenStoreTasks(Collection<String> taskIds, Instant createdBefore) {
        return housekeeping.forgottenStoreTasks(taskIds, createdBefore);
    }

    /** Creates a workspace with a given id (named after it) unless it exists: for imports. */
    public void ensureWorkspace(String id) {
        memberships.ensureWorkspace(id);
    }

    /** Creates a conversation with a given id unless it exists: for imports. */
    public void ensureConversation(String id, String workspaceId, Instant createdAt) {
        conversations.ensureConversation(id, workspaceId, createdAt);
    }

    /**
     * Creates each task (with its id, status and creation time) unless it exists, and its workspace
     * and conversation unless they exist, in one transaction: for imports.
     */
    public void ensureTasks(Collection<Task> tasks) {
        this.tasks.ensureTasks(tasks);
    }

    /** Creates a task with a given id and status unless it exists: for imports. */
    public void ensureTask(
            String id, String workspaceId, Optional<String> conversationId, TaskStatus status, Instant createdAt) {
        tasks.ensureTask(id, workspaceId, conversationId, status, createdAt);
    }

    /** Sets a workspace's retention: a duration text such as {@code 30d}, {@code off}, or empty for the default. */
    public void setRetention(String workspaceId, Optional<String> retention) {
        housekeeping.setRetention(workspaceId, retention);
    }

    /** @return every workspace id with its retention setting (empty: the default) */
    public Map<String, Optional<String>> retentions() {
        return housekeeping.retentions();
    }

    /**
     * Up to {@code limit} tasks of the workspace, in id order, whose last activity (newest message,
     * else last status change) is before {@code cutoff}.
     */
    public List<String> inactiveTasks(String workspaceId, Instant cutoff, int limit) {
        return housekeeping.inactiveTasks(workspaceId, cutoff, limit);
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }
}
