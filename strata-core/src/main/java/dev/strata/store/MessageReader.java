package dev.strata.store;

import dev.strata.model.MessagePage;
import dev.strata.model.MessageQuery;
import dev.strata.model.MissingContentException;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.TaskRecord;
import java.util.List;
import java.util.function.Consumer;

/**
 * The read path of {@link TaskMessageStore}: metadata says which segments hold the wanted
 * messages, {@link SegmentFetcher} brings and decodes them. Thread-safe.
 */
final class MessageReader {
    private final MetadataTier metadata;
    private final SegmentFetcher fetcher;
    private final long maxPageBytes;

    MessageReader(MetadataTier metadata, SegmentFetcher fetcher, long maxPageBytes) {
        this.metadata = metadata;
        this.fetcher = fetcher;
        this.maxPageBytes = maxPageBytes;
    }

    MessagePage list(String taskId, MessageQuery query) {
        try {
            return page(taskId, query);
        } catch (MissingContentException e) {
            // A segment vanishing under a read means the task was deleted, or (after a very slow
            // read) compaction replaced the segment and its grace period ran out: look again once.
            // (A cache entry whose bytes fail verification never gets here: SegmentFetcher drops it
            // and reads the content tier.)
            return page(taskId, query);
        }
    }

    void forEachMessage(String taskId, MessageQuery query, Consumer<TaskMessage> action) {
        if (query.end() != MessageQuery.End.OLDEST) {
            throw new IllegalArgumentException("forEachMessage reads forwards; the query keeps the " + query.end());
        }
        long remaining = query.limit();
        MessageQuery next = query;
        while (true) {
            MessagePage page = list(taskId, next);
            page.messages().forEach(action);
            remaining -= page.messages().size();
            if (!page.hasMore() || page.messages().isEmpty() || remaining <= 0) {
                return;
            }
            next = next.after(page.messages().get(page.messages().size() - 1).seq())
                    .limitedTo(query.limit() == Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) remaining);
        }
    }

    private MessagePage page(String taskId, MessageQuery query) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        long wanted = query.limit() == Integer.MAX_VALUE ? Long.MAX_VALUE : query.limit() + 1L;
        List<MessageLocation> locations = metadata.locate(task, query, wanted);
        if (locations.isEmpty() && task.summary().messageCount() > 0 && !stillExists(task)) {
            // Deleted between the two reads (which are not one snapshot): answer as after the
            // delete, never with an empty page of a task that had messages.
            throw new TaskNotFoundException(taskId);
        }
        boolean hasMore = locations.size() > query.limit();
        if (query.end() == MessageQuery.End.NEWEST) {
            return newest(taskId, hasMore ? locations.subList(1, locations.size()) : locations, hasMore);
        }
        if (hasMore) {
            locations = locations.subList(0, query.limit());
        }
        // The byte budget may cut the page earlier than the limit; the client pages on with since.
        SegmentFetcher.Fetched fetched = fetcher.messages(taskId, locations, maxPageBytes);
        return new MessagePage(fetched.messages(), hasMore || fetched.cut());
    }

    /**
     * A page that keeps the newest messages: when the byte budget cuts it, the oldest are the ones
     * left out (the client pages on backwards, with before), so it is fetched again from the
     * newest as many messages as fitted. Each round keeps fewer and at least one always fits.
     */
    private MessagePage newest(String taskId, List<MessageLocation> locations, boolean olderExist) {
        List<MessageLocation> wanted = locations;
        while (true) {
            SegmentFetcher.Fetched fetched = fetcher.messages(taskId, wanted, maxPageBytes);
            if (!fetched.cut()) {
                return new MessagePage(fetched.messages(), olderExist || wanted.size() < locations.size());
            }
            int fitted = Math.max(1, Math.min(fetched.messages().size(), wanted.size() - 1));
            wanted = wanted.subList(wanted.size() - fitted, wanted.size());
        }
    }

    private boolean stillExists(TaskRecord task) {
        return metadata.task(task.taskId())
                .filter(now -> now.taskKey() == task.taskKey())
                .isPresent();
    }
}
