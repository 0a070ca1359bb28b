package io.affectune.playlist.web;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * What playlist-service's storage failures look like to clients (the shared library writes the
 * problem+json): the database being away is a 503 with Retry-After (the pool reconnects by itself), a
 * write that conflicts with stored data a 409.
 */
@Configuration(proxyBeanMethods = false)
public class PlaylistProblems {

    private static final Logger log = LoggerFactory.getLogger(PlaylistProblems.class);

    @Bean
    ProblemMapper storageProblems() {
        return error -> {
            if (databaseUnavailable(error)) {
                log.warn("Database unavailable: {}", error.toString());
                return ApiProblem.unavailable(
                        "Database unavailable",
                        "The music database is not reachable right "
                                + "now. The service reconnects by itself; retry in a few seconds.",
                        Duration.ofSeconds(5));
            }
            if (error instanceof DataIntegrityViolationException conflict) {
                log.info(
                        "Integrity violation: {}",
                        conflict.getMostSpecificCause().getMessage());
                return new ApiProblem(
                        HttpStatus.CONFLICT,
                        "Conflict",
                        "The change conflicts with the data already stored (for example a track twice in one playlist, "
                                + "or a track id that does not exist).");
            }
            return null;
        };
    }

    /** Connection-level failures: no connection from the pool, network loss, server shut down or refusing. */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // A failed rollback on a dead connection hides the original failure: look at that one too.
            if (t instanceof org.springframework.transaction.TransactionSystemException tse
                    && tse.getOriginalException() != null
                    && databaseUnavailable(tse.getOriginalException())) {
                return true;
            }
            if (t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof org.hibernate.exception.JDBCConnectionException
                    || t instanceof java.net.ConnectException) {
                return true;
            }
            // Rolling back on a connection the server killed: Hikari reports the proxy closed, without an SQLState.
            if (t instanceof org.hibernate.TransactionException && t.getCause() instanceof SQLException) {
                return true;
            }
            if (t instanceof SQLException sql && "Connection is closed".equals(sql.getMessage())) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception, 57P0x: admin/crash shutdown or cannot connect now, 53300: too many
                // connections
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }
}
