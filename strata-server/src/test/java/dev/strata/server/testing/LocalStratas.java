package dev.strata.server.testing;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Strata instances on embedded backends under one test directory (a SQLite file and an object
 * directory per name, no cache), closed together. Opening a name again reopens the same store.
 */
public final class LocalStratas implements AutoCloseable {
    private final Path directory;
    private final List<Strata> opened = new ArrayList<>();

    public LocalStratas(Path directory) {
        this.directory = directory;
    }

    public Strata open(String name) {
        Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve(name + ".db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve(name + "-objects"),
                "STRATA_CACHE_URL", "none")));
        opened.add(strata);
        return strata;
    }

    @Override
    public void close() {
        opened.forEach(Strata::close);
    }
}
