package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.message.OutboundMessage;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's size limit and what gives way when it is reached: first the room of superseded messages (which are
 * never sent, so nothing is lost), then plan text, oldest first, and only then whole messages, oldest first. Each
 * kind of loss is counted and said once at ERROR.
 */
final class SpoolQuota {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolQuota.class);

  private final Path dir;
  private final long maxBytes;
  private long droppedMessages;
  private long droppedPlanTexts;
  private long reclaimedSuperseded;
  private boolean fullReported;
  private boolean dropReported;

  /** A notification in the form it is appended in, with its frame. */
  static final class Fitted {
    final OutboundMessage notification;
    final byte[] frame;

    Fitted(OutboundMessage notification, byte[] frame) {
      this.notification = notification;
      this.frame = frame;
    }
  }

  SpoolQuota(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  /**
   * The frame to append for {@code notification}: as it is, or without its plan text when only that makes it fit
   * the whole spool; null when it does not fit even so (it is dropped, counted and reported).
   */
  Fitted fit(long sequence, OutboundMessage notification) throws IOException {
    byte[] frame = FrameCodec.encode(sequence, notification);
    if (frame.length > maxBytes && notification.hasPlanText()) {
      droppedPlanTexts++;
      notification = notification.withoutPlanText();
      frame = FrameCodec.encode(sequence, notification);
    }
    if (frame.length > maxBytes) {
      droppedMessages++;
      LOG.error("spark-atlas-agent dropped a lineage message of {} bytes: larger than the whole spool "
          + "(atlas.spark.spool.max.bytes={}); raise atlas.spark.spool.max.bytes", frame.length, maxBytes);
      return null;
    }
    return new Fitted(notification, frame);
  }

  /**
   * Frees room for {@code needed} bytes: superseded messages first, then plan text, oldest first; whole messages
   * only when that is not enough.
   */
  void makeRoom(long needed, SegmentLog log, Spool spool) throws IOException {
    if (log.sizeBytes() + needed <= maxBytes) {
      return;
    }
    for (SegmentLog.Segment segment : log.snapshot()) {
      if (log.sizeBytes() + needed <= maxBytes) {
        return;
      }
      if (spool.supersededBetween(Math.max(spool.acked(), segment.first - 1), segment.last) > 0) {
        reclaimedSuperseded += spool.reclaimSuperseded(segment);
      }
    }
    if (log.sizeBytes() + needed <= maxBytes) {
      return;
    }
    long shedBefore = droppedPlanTexts;
    for (SegmentLog.Segment segment : log.snapshot()) {
      if (log.sizeBytes() + needed <= maxBytes) {
        break;
      }
      if (segment.planTexts > 0) {
        droppedPlanTexts += log.shedPlanText(segment, spool.acked());
      }
    }
    if (droppedPlanTexts > shedBefore && !fullReported) {
      fullReported = true;
      LOG.error("spark-atlas-agent spool {} is full (atlas.spark.spool.max.bytes={}): Kafka has not acknowledged "
          + "{} messages; plan text of the oldest ones is dropped to make room (reported once, counted in the "
          + "summary)", dir, maxBytes, spool.pending());
    }
    long droppedBefore = droppedMessages;
    while (log.sizeBytes() + needed > maxBytes && !log.isEmpty()) {
      SegmentLog.Segment oldest = log.oldest();
      long after = Math.max(spool.acked(), oldest.first - 1);
      // Superseded messages in it were not going to be sent: dropping them loses nothing.
      droppedMessages += oldest.last - after - spool.supersededBetween(after, oldest.last);
      spool.ack(oldest.last);
    }
    if (droppedMessages > droppedBefore && !dropReported) {
      dropReported = true;
      LOG.error("spark-atlas-agent spool {} is full (atlas.spark.spool.max.bytes={}) even without plan text: the "
          + "oldest undelivered lineage messages are dropped (reported once, counted in the summary); make Kafka "
          + "reachable or raise atlas.spark.spool.max.bytes", dir, maxBytes);
    }
  }

  long droppedMessages() {
    return droppedMessages;
  }

  long droppedPlanTexts() {
    return droppedPlanTexts;
  }

  /** Superseded messages whose room was taken back for newer ones. */
  long reclaimedSuperseded() {
    return reclaimedSuperseded;
  }
}
