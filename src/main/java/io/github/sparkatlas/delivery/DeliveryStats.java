package io.github.sparkatlas.delivery;

/** What a sink has done so far, for the application-end summary. */
public final class DeliveryStats {
  private final long sent;
  private final long spooled;
  private final long replayed;
  private final long droppedMessages;
  private final long droppedPlanTexts;
  private final long rejected;
  private final long failedAttempts;
  private final long superseded;

  public DeliveryStats(long sent, long spooled, long replayed, long droppedMessages, long droppedPlanTexts,
      long rejected, long failedAttempts) {
    this(sent, spooled, replayed, droppedMessages, droppedPlanTexts, rejected, failedAttempts, 0);
  }

  public DeliveryStats(long sent, long spooled, long replayed, long droppedMessages, long droppedPlanTexts,
      long rejected, long failedAttempts, long superseded) {
    this.sent = sent;
    this.spooled = spooled;
    this.replayed = replayed;
    this.droppedMessages = droppedMessages;
    this.droppedPlanTexts = droppedPlanTexts;
    this.rejected = rejected;
    this.failedAttempts = failedAttempts;
    this.superseded = superseded;
  }

  /** Messages the destination acknowledged (for the file sink: written). */
  public long sent() {
    return sent;
  }

  /** Messages kept on disk, not acknowledged yet. */
  public long spooled() {
    return spooled;
  }

  /** Messages of earlier applications (their spools) delivered by this one. */
  public long replayed() {
    return replayed;
  }

  /** Messages given up: the spool was full even without plan text, or the file sink could not write. */
  public long droppedMessages() {
    return droppedMessages;
  }

  /** Plan texts shed to make room in a full spool. */
  public long droppedPlanTexts() {
    return droppedPlanTexts;
  }

  /** Messages the broker refused for good (too large), kept in the spool's dead-letter file. */
  public long rejected() {
    return rejected;
  }

  /** Send attempts that failed and will be retried. */
  public long failedAttempts() {
    return failedAttempts;
  }

  /**
   * Messages that are not sent because a newer message of the same process, sent after them, holds all they say:
   * those left unsent so far and those waiting that will be. Not a loss, and not counted in {@link #spooled()}.
   */
  public long superseded() {
    return superseded;
  }
}
