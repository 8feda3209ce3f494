package dev.strata.tier.metadata.jdbc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Maps type and tool names to small integer ids, so each message row stores a few bytes instead
 * of the name. {@code tm_task_name} records which task uses which name, and a name that no task
 * uses any more is pruned, so the dictionary stays proportional to live data.
 *
 * <p>Ids are resolved inside the transaction that uses them and never cached: a cached id could
 * belong to a name pruned meanwhile (and on SQLite be handed to another name), and a cache would
 * grow with every distinct name. Pruning and commits exclude each other: on SQLite every write is
 * serialized; on PostgreSQL a commit holds a shared transaction-level advisory lock (per schema)
 * and pruning takes it exclusively, so pruning sees every commit that resolved a name either
 * complete or not yet started. Id 0 is the empty string and is never stored. Stateless,
 * thread-safe.
 */
final class NameDictionary {
    /** Names per statement, well under SQLite's limit of bound parameters. */
    private static final int NAMES_PER_STATEMENT = 500;
    /** First half of the advisory lock key ("stra"); the second is a hash of the schema. */
    private static final int LOCK_CLASS = 0x73747261;

    private final SqlDialect dialect;

    NameDictionary(SqlDialect dialect) {
        this.dialect = dialect;
    }

    /** Lets this commit transaction resolve names: pruning waits until it ends. Take it before anything else. */
    void lockForCommit(Handle handle) {
        if (dialect == SqlDialect.POSTGRESQL) {
            handle.createQuery("SELECT pg_advisory_xact_lock_shared(:class, hashtext(current_schema()))")
                    .bind("class", LOCK_CLASS)
                    .mapTo(String.class)
                    .list();
        }
    }

    /**
     * The ids of {@code names}, adding the new ones with one statement per
     * {@value #NAMES_PER_STATEMENT} names. Call after {@link #lockForCommit}; the caller must
     * record the names in {@code tm_task_name} in the same transaction, or pruning removes them.
     */
    Map<String, Integer> resolve(Handle handle, Collection<String> names) {
        Map<String, Integer> ids = new HashMap<>();
        // Sorted, so concurrent transactions insert shared new names in one order and never deadlock.
        TreeSet<String> wanted = new TreeSet<>(names);
        if (wanted.remove("")) {
            ids.put("", 0);
        }
        select(handle, List.copyOf(wanted), ids);
        List<String> missing =
                wanted.stream().filter(name -> !ids.containsKey(name)).toList();
        if (missing.isEmpty()) {
            return ids;
        }
        for (List<String> chunk : chunks(missing)) {
            StringBuilder sql = new StringBuilder("INSERT INTO tm_name (name) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?)" : ", (?)");
            }
            var insert = handle.createUpdate(
                    sql.append(" ON CONFLICT (name) DO NOTHING").toString());
            for (int i = 0; i < chunk.size(); i++) {
                insert.bind(i, chunk.get(i));
            }
            insert.execute();
        }
        select(handle, missing, ids);
        for (String name : missing) {
            if (!ids.containsKey(name)) {
                throw new IllegalStateException("name " + name + " is missing from tm_name right after its insert");
            }
        }
        return ids;
    }

    private static void select(Handle handle, List<String> names, Map<String, Integer> ids) {
        for (List<String> chunk : chunks(names)) {
            handle.createQuery("SELECT name_id, name FROM tm_name WHERE name IN (<names>)")
                    .bindList("names", chunk)
                    .map((rs, ctx) -> ids.put(rs.getString(2), rs.getInt(1)))
                    .list();
        }
    }

    /**
     * Removes those of the names that no task uses. Runs in its own short transaction, after the
     * transaction that stopped using them committed; on PostgreSQL it waits for commits in flight.
     *
     * @return how many names were removed
     */
    int prune(Handle handle, Collection<Integer> candidates) {
        lockForPruning(handle);
        int removed = 0;
        for (List<Integer> chunk : chunks(List.copyOf(new TreeSet<>(candidates)))) {
            removed += handle.createUpdate("DELETE FROM tm_name WHERE name_id IN (<ids>)"
                            + " AND NOT EXISTS (SELECT 1 FROM tm_task_name u WHERE u.name_id = tm_name.name_id)")
                    .bindList("ids", chunk)
                    .execute();
        }
        return removed;
    }

    /** Removes every name no task uses, such as those a crash left between a delete and its pruning. */
    int pruneAll(Handle handle) {
        lockForPruning(handle);
        return handle.createUpdate("DELETE FROM tm_name"
                        + " WHERE NOT EXISTS (SELECT 1 FROM tm_task_name u WHERE u.name_id = tm_name.name_id)")
                .execute();
    }

    private void lockForPruning(Handle handle) {
        if (dialect == SqlDialect.POSTGRESQL) {
            handle.createQuery("SELECT pg_advisory_xact_lock(:class, hashtext(current_schema()))")
                    .bind("class", LOCK_CLASS)
                    .mapTo(String.class)
                    .list();
        }
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += NAMES_PER_STATEMENT) {
            chunks.add(all.subList(from, Math.min(all.size(), from + NAMES_PER_STATEMENT)));
        }
        return chunks;
    }
}
