package dev.strata.tier.metadata.jdbc;

import java.sql.SQLException;
import org.jdbi.v3.core.JdbiException;

/**
 * A failed statement run on a handle's bare JDBC connection, failing as Jdbi's own failures do:
 * {@link Database} rolls the transaction back and reports the database unavailable.
 */
final class StatementFailed extends JdbiException {
    private static final long serialVersionUID = 1L;

    StatementFailed(String what, SQLException cause) {
        super(what + " failed: " + cause.getMessage(), cause);
    }
}
