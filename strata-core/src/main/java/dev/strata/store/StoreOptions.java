package dev.strata.store;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Policy of a store.
 *
 * @param dropTypes message types an append discards (counted as dropped, never stored)
 * @param compressionLevel zstd level for segments, 1 to 19
 */
public record StoreOptions(Set<String> dropTypes, int compressionLevel) {
    public static final Set<String> DEFAULT_DROP_TYPES = Set.of("log", "status");

    public StoreOptions {
        dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
        if (compressionLevel < 1 || compressionLevel > 19) {
            throw new IllegalArgumentException("compressionLevel must be 1 to 19, got " + compressionLevel);
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(DEFAULT_DROP_TYPES, 3);
    }

    public StoreOptions withDropTypes(Set<String> types) {
        return new StoreOptions(types, compressionLevel);
    }
}
