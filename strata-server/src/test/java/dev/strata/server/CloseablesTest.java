package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseablesTest {
    @Test
    void close_closesLastAddedFirst() {
        List<String> closed = new ArrayList<>();
        Closeables resources = new Closeables();
        resources.add(() -> closed.add("database"));
        resources.add(() -> closed.add("store"));
        resources.add(() -> closed.add("http"));

        resources.close();

        assertThat(closed).containsExactly("http", "store", "database");
    }

    @Test
    void close_oneFailing_stillClosesTheRest() {
        List<String> closed = new ArrayList<>();
        Closeables resources = new Closeables();
        resources.add(() -> closed.add("database"));
        resources.add(() -> {
            throw new IllegalStateException("store would not close");
        });
        resources.add(() -> closed.add("http"));

        resources.close();

        assertThat(closed).containsExactly("http", "database");
    }

    @Test
    void close_twice_closesEachResourceOnce() {
        List<String> closed = new ArrayList<>();
        Closeables resources = new Closeables();
        resources.add(() -> closed.add("database"));

        resources.close();
        resources.close();

        assertThat(closed).containsExactly("database");
    }
}
