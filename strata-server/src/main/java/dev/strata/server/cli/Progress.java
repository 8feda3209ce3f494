package dev.strata.server.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on stderr: a bar redrawn in place on a terminal (count, rate, ETA when
 * the total is known), plain lines every few seconds otherwise (logs, CI). Not thread-safe: one
 * worker reports.
 */
final class Progress implements AutoCloseable {
    private static final long TERMINAL_REFRESH_NANOS = 200_000_000L;
    private static final long LINE_REFRESH_NANOS = 5_000_000_000L;

    private final String label;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastPrinted;
    private long done;
    private String detail = "";

    /** @param total the amount of work, or a negative number when unknown */
    Progress(String label, String unit, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
    }

    static Progress onStderr(String label, String unit, long total) {
        return new Progress(label, unit, total, System.err, System.console() != null);
    }

    void update(long doneSoFar, String currentDetail) {
        this.done = doneSoFar;
        this.detail = currentDetail;
        long now = System.nanoTime();
        if (now - lastPrinted >= (terminal ? TERMINAL_REFRESH_NANOS : LINE_REFRESH_NANOS)) {
            lastPrinted = now;
            print(false);
        }
    }

    void update(long doneSoFar) {
        update(doneSoFar, detail);
    }

    @Override
    public void close() {
        print(true);
    }

    private void print(boolean last) {
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        double rate = done / seconds;
        StringBuilder line = new StringBuilder(label).append(' ');
        if (total > 0) {
            int width = 30;
            int filled = (int) Math.min(width, width * done / total);
            line.append('[')
                    .append("#".repeat(filled))
                    .append(" ".repeat(width - filled))
                    .append("] ");
            line.append(String.format(Locale.ROOT, "%,d/%,d %s", done, total, unit));
        } else {
            line.append(String.format(Locale.ROOT, "%,d %s", done, unit));
        }
        line.append(String.format(Locale.ROOT, ", %,.0f %s/s", rate, unit));
        if (total > 0 && rate > 0 && done < total) {
            line.append(String.format(Locale.ROOT, ", ETA %ds", (long) ((total - done) / rate)));
        }
        if (!last) {
            line.append(String.format(Locale.ROOT, ", %.0fs", seconds));
        } else {
            line.append(String.format(Locale.ROOT, ", done in %.1fs", seconds));
        }
        if (!detail.isEmpty()) {
            line.append(", ").append(detail);
        }
        if (terminal) {
            out.print("\r\033[K" + line + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }
}
