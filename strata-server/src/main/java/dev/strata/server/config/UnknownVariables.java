package dev.strata.server.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds {@code STRATA_*} variables that nothing reads, most likely misspelt settings that would
 * otherwise be silently ignored, and names the known variable closest to each.
 */
public final class UnknownVariables {
    /** Read outside {@link StrataConfig}: by Logback, {@code bin/strata} and the test suite. */
    static final Set<String> READ_ELSEWHERE = Set.of(
            "STRATA_LOG_LEVEL", "STRATA_JAVA_OPTS", "STRATA_TEST", "STRATA_TEST_PG_URL", "STRATA_TEST_REDIS_URL");

    private UnknownVariables() {}

    /** Every {@code STRATA_*} variable Strata reads. */
    public static Set<String> known() {
        Set<String> known = new TreeSet<>(StrataConfig.variables());
        known.addAll(READ_ELSEWHERE);
        return known;
    }

    /** One line per unknown {@code STRATA_*} variable in {@code env}, in name order, naming the closest known one. */
    public static List<String> warnings(Map<String, String> env) {
        Set<String> known = known();
        List<String> warnings = new ArrayList<>();
        env.keySet().stream()
                .filter(name -> name.startsWith("STRATA_") && !known.contains(name))
                .sorted()
                .forEach(name -> warnings.add(
                        "unknown variable " + name + " is ignored; did you mean " + closest(name, known) + "?"));
        return warnings;
    }

    private static String closest(String name, Set<String> known) {
        return known.stream()
                .min(Comparator.comparingInt((String candidate) -> distance(name, candidate))
                        .thenComparing(Comparator.naturalOrder()))
                .orElseThrow();
    }

    /** Levenshtein distance: the fewest single-character edits that turn {@code a} into {@code b}. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
