package io.github.sparkatlas;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs an internal problem once per kind and counts every occurrence, so that a failure repeated on every
 * event neither floods the driver log nor goes unnoticed.
 */
final class ErrorReporter {
  private static final int MAX_KINDS = 256;

  private final Logger log;
  private final Set<String> reported = Collections.synchronizedSet(new LinkedHashSet<String>());
  private final AtomicLong count = new AtomicLong();

  ErrorReporter(Logger log) {
    this.log = log;
  }

  void internalError(String where, Throwable error) {
    count.incrementAndGet();
    String kind = where + ":" + error.getClass().getName();
    if (reported.size() < MAX_KINDS && reported.add(kind)) {
      log.warn("spark-atlas-agent internal error in {} (reported once; the Spark job is not affected): {}", where,
          error.toString(), error);
    }
  }

  /** Says something once per key at WARN, without counting it as an error. */
  void warnOnce(String key, String message) {
    if (reported.size() < MAX_KINDS && reported.add("warn:" + key)) {
      log.warn(message);
    }
  }

  long count() {
    return count.get();
  }
}
