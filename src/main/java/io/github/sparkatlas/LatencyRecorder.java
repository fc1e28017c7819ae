package io.github.sparkatlas;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Time the agent spends on Spark's listener thread, as a fixed-size histogram: 10 µs buckets up to 1 ms (the
 * target for p99), 1 ms buckets up to 1 s, one bucket beyond. Constant memory however many events a driver sees.
 */
final class LatencyRecorder {
  private static final int FINE_BUCKETS = 100;
  private static final long FINE_WIDTH_NANOS = 10_000;
  private static final int COARSE_BUCKETS = 999;
  private static final long COARSE_WIDTH_NANOS = 1_000_000;
  private static final int BUCKETS = FINE_BUCKETS + COARSE_BUCKETS + 1;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong max = new AtomicLong();

  void record(long nanos) {
    long value = Math.max(0, nanos);
    counts.incrementAndGet(bucket(value));
    total.incrementAndGet();
    long seen;
    while (value > (seen = max.get()) && !max.compareAndSet(seen, value)) {
      // Lost a race with another thread; look again.
    }
  }

  private static int bucket(long nanos) {
    if (nanos < FINE_BUCKETS * FINE_WIDTH_NANOS) {
      return (int) (nanos / FINE_WIDTH_NANOS);
    }
    long coarse = nanos / COARSE_WIDTH_NANOS;
    return (int) Math.min(BUCKETS - 1, FINE_BUCKETS + coarse - 1);
  }

  /** Upper bound of the bucket holding the given bucket's values, in nanoseconds. */
  private long upperBound(int bucket) {
    if (bucket < FINE_BUCKETS) {
      return (bucket + 1) * FINE_WIDTH_NANOS;
    }
    if (bucket == BUCKETS - 1) {
      return max.get();
    }
    return (bucket - FINE_BUCKETS + 2) * COARSE_WIDTH_NANOS;
  }

  long count() {
    return total.get();
  }

  long maxNanos() {
    return max.get();
  }

  /** The value below which {@code quantile} of the recorded times fall (bucket upper bound), in nanoseconds. */
  long quantileNanos(double quantile) {
    long n = total.get();
    if (n == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(quantile * n);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return Math.min(upperBound(i), max.get());
      }
    }
    return max.get();
  }

  /** For the summary line: {@code p50=0.04ms p99=0.31ms max=2.10ms (n=1234)}. */
  String describe() {
    return String.format(java.util.Locale.ROOT, "p50=%.2fms p99=%.2fms max=%.2fms (n=%d)",
        quantileNanos(0.50) / 1e6, quantileNanos(0.99) / 1e6, maxNanos() / 1e6, count());
  }
}
