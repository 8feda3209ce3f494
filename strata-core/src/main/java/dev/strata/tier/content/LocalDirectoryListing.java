package dev.strata.tier.content;

import dev.strata.model.BackendUnavailableException;
import dev.strata.tier.content.ListableContent.StoredObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One page of {@link LocalDirectoryContentTier#list}, in the order S3 lists keys: the tree is
 * walked depth first with each directory's entries sorted as their keys sort (a directory
 * {@code a} as {@code a/}, so {@code a-b/x} comes before {@code a/x}, as it does in S3), subtrees
 * that cannot hold a key after {@code startAfter} or under {@code prefix} are not entered (entries
 * that sort before the page are not even looked at), and the walk stops once {@code limit} keys
 * are found. A page so reads the directories on its path and
 * its own objects, never the whole tree. Keys are compared as Java strings, which is the byte
 * order S3 uses for the ASCII keys {@link ContentKeys} makes. Not thread-safe: one per call.
 */
final class LocalDirectoryListing {
    private final Path root;
    private final String prefix;
    private final String startAfter;
    private final int limit;
    private final List<StoredObject> found = new ArrayList<>();

    LocalDirectoryListing(Path root, String prefix, String startAfter, int limit) {
        this.root = root;
        this.prefix = prefix;
        this.startAfter = startAfter;
        this.limit = limit;
    }

    List<StoredObject> page() {
        if (limit > 0) {
            try {
                walk(root, "");
            } catch (IOException e) {
                throw new BackendUnavailableException("content list of " + prefix + " in " + root + " failed: " + e, e);
            }
        }
        return List.copyOf(found);
    }

    /** Visits a directory whose keys all start with {@code keyPrefix} (empty or ending in '/'). */
    private void walk(Path directory, String keyPrefix) throws IOException {
        for (Entry entry : sortedEntries(directory, keyPrefix)) {
            if (found.size() >= limit) {
                return;
            }
            if (entry.directory()) {
                if (mayHoldWanted(entry.key())) {
                    walk(entry.path(), entry.key());
                }
            } else if (wantedObject(entry.key())) {
                found.add(new StoredObject(
                        entry.key(),
                        entry.attributes().size(),
                        entry.attributes().lastModifiedTime().toInstant()));
            }
        }
    }

    private boolean wantedObject(String key) {
        return key.startsWith(prefix) && key.compareTo(startAfter) > 0;
    }

    /** Whether a subtree whose keys all start with {@code directoryKey} can hold a key of the page. */
    private boolean mayHoldWanted(String directoryKey) {
        boolean underPrefix = directoryKey.startsWith(prefix) || prefix.startsWith(directoryKey);
        // Every key below sorts at or before startAfter when the directory's key sorts before it
        // without being its prefix: they differ inside the directory's key already.
        boolean afterStart = startAfter.startsWith(directoryKey) || directoryKey.compareTo(startAfter) > 0;
        return underPrefix && afterStart;
    }

    private List<Entry> sortedEntries(Path directory, String keyPrefix) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path path : stream) {
                String name = path.getFileName().toString();
                if (!wantedObject(keyPrefix + name) && !mayHoldWanted(keyPrefix + name + "/")) {
                    continue; // sorts before the page either way: not even looked at
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(path, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue; // deleted since the directory was read
                }
                if (attributes.isDirectory()) {
                    entries.add(new Entry(path, keyPrefix + name + "/", true, attributes));
                } else if (attributes.isRegularFile()) {
                    entries.add(new Entry(path, keyPrefix + name, false, attributes));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of(); // removed by a concurrent delete of its last object
        }
        entries.sort(Comparator.comparing(Entry::key));
        return entries;
    }

    /** A directory entry and the key it sorts as (with a trailing '/' for a directory). */
    private record Entry(Path path, String key, boolean directory, BasicFileAttributes attributes) {}
}
