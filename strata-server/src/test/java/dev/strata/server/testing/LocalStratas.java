package dev.strata.server.testing;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Strata instances on embedded backends under a test's directory (a SQLite file and an object
 * directory per name, no cache), closed after each test. Opening a name again reopens the same
 * store. Register it with {@code @RegisterExtension}, naming the test's {@code @TempDir} field.
 */
public final class LocalStratas implements AfterEachCallback {
    private final Supplier<Path> directory;
    private final List<Strata> opened = new ArrayList<>();

    /** @param directory the test's directory, read when an instance opens (after JUnit filled it in) */
    public LocalStratas(Supplier<Path> directory) {
        this.directory = directory;
    }

    public Strata open(String name) {
        Path root = directory.get();
        Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + root.resolve(name + ".db"),
                "STRATA_CONTENT_URL", "file:" + root.resolve(name + "-objects"),
                "STRATA_CACHE_URL", "none")));
        opened.add(strata);
        return strata;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        opened.forEach(Strata::close);
        opened.clear();
    }
}
