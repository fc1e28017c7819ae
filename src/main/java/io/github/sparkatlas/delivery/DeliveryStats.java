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

  public DeliveryStats(long sent, long spooled, long replayed, long droppedMessages, long droppedPlanTexts,
      long rejected, long failedAttempts) {
    this.sent = sent;
    this.spooled = spooled;
    this.replayed = replayed;
    this.droppedMessages = droppedMessages;
    this.droppedPlanTexts = droppedPlanTexts;
    this.rejected = rejected;
    this.failedAttempts = failedAttempts;
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
}
