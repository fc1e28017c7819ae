package io.github.sparkatlas;

import io.github.sparkatlas.redact.Redactor;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs an internal problem once per kind and counts every occurrence, so that a failure repeated on every
 * event neither floods the driver log nor goes unnoticed. Past a limit it tells the agent to switch itself off:
 * a bug that fails on every event should cost the job nothing, not even the time to fail.
 */
final class ErrorReporter {
  private static final int MAX_KINDS = 256;
  private static final int MAX_CAUSES = 8;

  private final Logger log;
  private final Redactor redactor;
  private final long limit;
  private final Runnable onLimit;
  private final Set<String> reported = Collections.synchronizedSet(new LinkedHashSet<String>());
  private final AtomicLong count = new AtomicLong();
  private final AtomicBoolean limitReached = new AtomicBoolean();

  ErrorReporter(Logger log) {
    this(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
  }

  ErrorReporter(Logger log, Redactor redactor, long limit, Runnable onLimit) {
    this.log = log;
    this.redactor = redactor;
    this.limit = limit;
    this.onLimit = onLimit;
  }

  void internalError(String where, Throwable error) {
    long n = count.incrementAndGet();
    String kind = where + ":" + error.getClass().getName();
    if (reported.size() < MAX_KINDS && reported.add(kind)) {
      log.warn("spark-atlas-agent internal error in {} (reported once; the Spark job is not affected): {}", where,
          redactor.redact(error.toString()), redacted(error, 0));
    }
    if (n >= limit && limitReached.compareAndSet(false, true)) {
      log.error("spark-atlas-agent switched itself off for the rest of this application after {} internal errors "
          + "(atlas.spark.internal.errors.max); the Spark job is not affected. The first error of each kind is "
          + "logged above at WARN; please report it.", n);
      onLimit.run();
    }
  }

  /** Says something once per key at WARN, without counting it as an error. */
  void warnOnce(String key, String message) {
    if (reported.size() < MAX_KINDS && reported.add("warn:" + key)) {
      log.warn(redactor.redact(message));
    }
  }

  long count() {
    return count.get();
  }

  /**
   * A copy of the error whose messages are redacted, with the original stack frames: an exception message can
   * quote a URL or option that holds a password.
   */
  private Throwable redacted(Throwable error, int depth) {
    Throwable copy = new RedactedError(redactor.redact(error.toString()));
    copy.setStackTrace(error.getStackTrace());
    Throwable cause = error.getCause();
    if (cause != null && cause != error && depth < MAX_CAUSES) {
      copy.initCause(redacted(cause, depth + 1));
    }
    return copy;
  }

  /** Prints as the original would (class name and message), but with the message redacted. */
  private static final class RedactedError extends Throwable {
    private static final long serialVersionUID = 1L;

    RedactedError(String description) {
      super(description);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
