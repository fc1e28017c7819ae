package io.github.sparkatlas.delivery;

import io.github.sparkatlas.message.Notification;

/** A notification read back from the spool, with its place in the spool's order. */
public final class SpoolEntry {
  private final long sequence;
  private final Notification notification;

  SpoolEntry(long sequence, Notification notification) {
    this.sequence = sequence;
    this.notification = notification;
  }

  public long sequence() {
    return sequence;
  }

  public Notification notification() {
    return notification;
  }
}
