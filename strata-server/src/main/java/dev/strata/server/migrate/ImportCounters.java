package dev.strata.server.migrate;

import java.util.concurrent.atomic.AtomicLong;

/** The running totals of one import, added to by every worker. Thread-safe. */
final class ImportCounters {
    final AtomicLong tasks = new AtomicLong();
    final AtomicLong read = new AtomicLong();
    final AtomicLong imported = new AtomicLong();
    final AtomicLong present = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong skippedRows = new AtomicLong();
    final AtomicLong rawBytes = new AtomicLong();
}
