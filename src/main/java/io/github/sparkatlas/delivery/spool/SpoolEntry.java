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

  public long sequence() {
    return sequence;
  }

  public OutboundMessage notification() {
    return notification;
  }
}
