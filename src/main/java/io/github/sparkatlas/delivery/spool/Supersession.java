package io.github.sparkatlas.delivery.spool;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Which waiting frames of a spool need not be sent: a frame that holds the whole state of its key (its message
 * {@code replacesEarlier}) makes every earlier such frame of the same key redundant, since Atlas ends up with the
 * same entities whether it gets all of them in order or only the newest. Frames that replace nothing are never
 * superseded and supersede nothing. The newest frame of a key is never superseded, so neither is the last frame
 * of a spool: whatever waits always ends with something that is sent.
 *
 * <p>Memory is one bit per waiting frame and one entry per key that has a waiting frame, both bounded by the spool's
 * quota; what is acknowledged is forgotten.
 */
final class Supersession {
  /** Forgetting acknowledged bits copies the set, so it is done in steps of at least this many frames. */
  private static final int REBASE_STEP = 4096;

  /** Per key, the sequence number of its newest frame that replaces earlier ones. */
  private final Map<String, Long> newest = new HashMap<>();
  /** Bit {@code i} set: frame {@code base + i} is superseded (or was, and its bytes are already reclaimed). */
  private BitSet superseded = new BitSet();
  private long base = 1;

  /**
   * Learns of a frame appended (or found on disk) after {@code acked}, in sequence order.
   *
   * @return whether it superseded a frame that still waits
   */
  boolean record(long sequence, String key, boolean replacesEarlier, long acked) {
    if (!replacesEarlier) {
      return false;
    }
    Long previous = newest.put(key, sequence);
    if (previous == null || previous <= acked || isSuperseded(previous)) {
      return false;
    }
    mark(previous);
    return true;
  }

  /**
   * Marks a sequence number found missing from a spool on disk: only a superseded frame is ever removed from the
   * middle of a spool (to reclaim its room), so a gap is one.
   */
  void markMissing(long sequence) {
    mark(sequence);
  }

  boolean isSuperseded(long sequence) {
    long index = sequence - base;
    return index >= 0 && index < Integer.MAX_VALUE && superseded.get((int) index);
  }

  /** Superseded frames after {@code after}, up to and including {@code through}. */
  int countBetween(long after, long through) {
    long from = Math.max(after + 1, base) - base;
    long to = Math.min(through + 1 - base, superseded.length());
    if (to <= from) {
      return 0;
    }
    return superseded.get((int) from, (int) to).cardinality();
  }

  /** Forgets what the acknowledgement through {@code acked} made irrelevant. */
  void forgetThrough(long acked) {
    newest.values().removeIf(sequence -> sequence <= acked);
    long shift = acked + 1 - base;
    if (shift >= REBASE_STEP) {
      int from = (int) Math.min(shift, superseded.length());
      superseded = superseded.get(from, Math.max(from, superseded.length()));
      base = acked + 1;
    }
  }

  private void mark(long sequence) {
    long index = sequence - base;
    if (index >= 0 && index < Integer.MAX_VALUE) {
      superseded.set((int) index);
    }
  }
}
