package dev.strata.testing;

import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.time.Clock;

/**
 * Builds a store over given real tiers, the way the server's composition root does. The store
 * does not own the tiers: the caller, who made them, closes them after the store.
 */
public final class StoreFixture {
    private StoreFixture() {}

    public static TaskMessageStore store(Database database, ContentTier content, SegmentCache cache) {
        return store(database, content, cache, StoreOptions.defaults());
    }

    public static TaskMessageStore store(
            Database database, ContentTier content, SegmentCache cache, StoreOptions options) {
        return new TaskMessageStore(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                content,
                new FailSafeSegmentCache(cache),
                options,
                Clock.systemUTC());
    }
}
