package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.message.OutboundMessage;

/** A notification read back from the spool, with its place in the spool's order. */
public final class SpoolEntry {
  private final long sequence;
  private final OutboundMessage notification;

  SpoolEntry(long sequence, OutboundMessage notification) {
    this.sequence = sequence;
    this.notification = notification;
  }

  /** A place in the order whose message a newer one of the same key holds: it is acknowledged, never sent. */
  static SpoolEntry superseded(long sequence) {
    return new SpoolEntry(sequence, null);
  }

  public long sequence() {
    return sequence;
  }

  /** Whether a later message of the same key holds everything this one says, so it is not to be sent. */
  public boolean superseded() {
    return notification == null;
  }

  /** The message; a superseded entry has none (it is not even decompressed). */
  public OutboundMessage notification() {
    if (notification == null) {
      throw new IllegalStateException("entry " + sequence + " is superseded: it is not sent");
    }
    return notification;
  }
}
