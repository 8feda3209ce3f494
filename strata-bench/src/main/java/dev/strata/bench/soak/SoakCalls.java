package dev.strata.bench.soak;

import java.util.function.Supplier;

/**
 * How the soak sends a request and judges its answer: counts every status, records a 5xx other
 * than 503 as a problem, and retries as is on a 503 or no answer until the give-up time.
 * Thread-safe.
 */
final class SoakCalls {
    private final long giveUpAt;
    private final SoakStats stats;

    /** @param giveUpAt {@link System#nanoTime()} after which a request that keeps getting 503 is abandoned */
    SoakCalls(long giveUpAt, SoakStats stats) {
        this.giveUpAt = giveUpAt;
        this.stats = stats;
    }

    /** A 404 is expected of a task being deleted; of any other it is a problem. */
    void expectEnded(SoakTask task, String operation, SoakClient.Response response) {
        if (task.state() == SoakTask.State.DELETING || task.state() == SoakTask.State.DELETED) {
            add(operation + " of a task being deleted: 404", 1);
        } else {
            problem(operation + " of " + task.id + " (" + task.state() + ") answered 404 " + response.body());
        }
    }

    /** Sends a request again, as is, while it gets a 503 or no answer, until the give-up time. */
    SoakClient.Response untilAnswered(String operation, Supplier<SoakClient.Response> call) {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            SoakClient.Response response = counted(operation, call.get());
            if (!response.retryable() || System.nanoTime() > giveUpAt) {
                stats.answered(operation, (System.nanoTime() - start) / 1_000_000);
                return response;
            }
            add(operation + " retries", 1);
            try {
                Thread.sleep(Math.min(2000, 50L * attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return response;
            }
        }
    }

    SoakClient.Response counted(String operation, SoakClient.Response response) {
        add(operation + " " + (response.status() == 0 ? "no answer" : Integer.toString(response.status())), 1);
        if (response.status() >= 500 && response.status() != 503) {
            problem(operation + " answered " + response.status() + " " + response.body());
        }
        return response;
    }

    void add(String counter, long amount) {
        stats.add(counter, amount);
    }

    void problem(String description) {
        stats.problem(description);
    }
}
