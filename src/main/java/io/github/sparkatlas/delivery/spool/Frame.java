package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.message.OutboundMessage;
import java.io.IOException;

/** One intact frame as read from a spool file; the body stays compressed until it is asked for. */
final class Frame {
  final long sequence;
  final long createdAt;
  final boolean hasPlanText;
  final boolean replacesEarlier;
  final String applicationId;
  final String key;
  final String user;
  final byte[] gzipBody;
  /** Bytes the frame takes in its file, header included. */
  final int length;

  Frame(long sequence, long createdAt, boolean hasPlanText, boolean replacesEarlier, String applicationId,
      String key, String user, byte[] gzipBody, int length) {
    this.sequence = sequence;
    this.createdAt = createdAt;
    this.hasPlanText = hasPlanText;
    this.replacesEarlier = replacesEarlier;
    this.applicationId = applicationId;
    this.key = key;
    this.user = user;
    this.gzipBody = gzipBody;
    this.length = length;
  }

  OutboundMessage notification() throws IOException {
    return new OutboundMessage(applicationId, key, user, createdAt, FrameCodec.gunzip(gzipBody), hasPlanText,
        replacesEarlier);
  }

  SpoolEntry entry() throws IOException {
    return new SpoolEntry(sequence, notification());
  }
}
