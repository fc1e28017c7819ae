package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {
  private static final long MICROS = 1_000;
  private static final long MILLIS = 1_000_000;

  @Test
  void nothingRecordedReadsAsZero() {
    LatencyRecorder recorder = new LatencyRecorder();

    assertEquals(0, recorder.quantileNanos(0.5));
    assertEquals(0, recorder.maxNanos());
    assertEquals("p50=0.00ms p99=0.00ms max=0.00ms (n=0)", recorder.describe());
  }

  @Test
  void quantilesAreTheUpperBoundOfTheBucketHoldingThatRank() {
    LatencyRecorder recorder = new LatencyRecorder();
    for (int i = 0; i < 98; i++) {
      recorder.record(42 * MICROS);
    }
    recorder.record(3 * MILLIS + 200 * MICROS);
    recorder.record(250 * MILLIS);

    assertEquals(100, recorder.count());
    // 10 µs buckets below 1 ms: 42 µs reads as at most 50 µs
    assertEquals(50 * MICROS, recorder.quantileNanos(0.50));
    assertEquals(50 * MICROS, recorder.quantileNanos(0.98));
    // 1 ms buckets above: 3.2 ms reads as at most 4 ms
    assertEquals(4 * MILLIS, recorder.quantileNanos(0.99));
    assertEquals(250 * MILLIS, recorder.quantileNanos(1.0), "never above the largest value seen");
    assertEquals(250 * MILLIS, recorder.maxNanos());
    assertEquals("p50=0.05ms p99=4.00ms max=250.00ms (n=100)", recorder.describe());
  }

  @Test
  void valuesBeyondOneSecondAreCountedAndReadAsTheMaximum() {
    LatencyRecorder recorder = new LatencyRecorder();
    recorder.record(5 * MICROS);
    recorder.record(7_000 * MILLIS);
    recorder.record(90_000 * MILLIS);

    assertEquals(10 * MICROS, recorder.quantileNanos(0.3));
    assertEquals(90_000 * MILLIS, recorder.quantileNanos(0.9));
    assertEquals(90_000 * MILLIS, recorder.maxNanos());
  }

  @Test
  void negativeTimeFromAClockStepCountsAsZero() {
    LatencyRecorder recorder = new LatencyRecorder();
    recorder.record(-5 * MILLIS);

    assertEquals(1, recorder.count());
    assertEquals(0, recorder.maxNanos());
    assertEquals(0, recorder.quantileNanos(0.99));
  }

  @Test
  void recordingAllocatesNothingHoweverManyValuesADriverSees() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter");
    com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) threads;
    Assumptions.assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled());
    LatencyRecorder recorder = new LatencyRecorder();
    recorder.record(1);
    long thread = Thread.currentThread().getId();

    long before = counter.getThreadAllocatedBytes(thread);
    for (long i = 0; i < 2_000_000; i++) {
      recorder.record((i * 7_919) % (3_000 * MILLIS));
    }
    long allocated = counter.getThreadAllocatedBytes(thread) - before;

    assertEquals(2_000_001, recorder.count());
    assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 2 million values");
    assertTrue(recorder.quantileNanos(0.5) > 0);
  }
}
