package dev.strata.tier.metadata.jdbc;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps type and tool names to small integer ids, so each message row stores a byte or two
 * instead of the name. Names are only ever added, so the in-memory copy can never be wrong, only
 * incomplete; a miss asks the database. Id 0 is the empty string. Thread-safe.
 */
final class NameDictionary {
    private final Database database;
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();

    NameDictionary(Database database) {
        this.database = database;
        ids.put("", 0);
    }

    /** The id of {@code name}, adding it to the dictionary if it is new. */
    int idOf(String name) {
        Integer id = ids.get(name);
        if (id != null) {
            return id;
        }
        Optional<Integer> existing = lookup(name);
        if (existing.isEmpty()) {
            database.write(() -> database.jdbi().withHandle(handle -> handle
                    .createUpdate("INSERT INTO tm_name (name) VALUES (:name) ON CONFLICT (name) DO NOTHING")
                    .bind("name", name)
                    .execute()));
            existing = lookup(name);
        }
        int found = existing.orElseThrow(() -> new IllegalStateException("name " + name + " vanished from tm_name"));
        ids.put(name, found);
        return found;
    }

    /** The ids of those names that are known; unknown names are left out (they match no row). */
    Set<Integer> knownIds(Collection<String> names) {
        Set<Integer> result = new LinkedHashSet<>();
        for (String name : names) {
            Integer id = ids.get(name);
            if (id == null) {
                Optional<Integer> found = lookup(name);
                if (found.isPresent()) {
                    ids.put(name, found.get());
                    id = found.get();
                }
            }
            if (id != null) {
                result.add(id);
            }
        }
        return result;
    }

    private Optional<Integer> lookup(String name) {
        if (name.isEmpty()) {
            return Optional.of(0);
        }
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT name_id FROM tm_name WHERE name = :name")
                .bind("name", name)
                .mapTo(Integer.class)
                .findOne());
    }
}
