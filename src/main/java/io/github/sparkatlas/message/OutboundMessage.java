package io.github.sparkatlas.message;

import java.util.Objects;

/**
 * A {@link io.github.sparkatlas.model.HookNotification} serialized and addressed for sending, before its envelope:
 * what the spool keeps until Kafka acknowledges it. The envelope (and any compression or splitting) is made when
 * it is sent, with the settings of whoever sends it.
 */
public final class OutboundMessage {
  private final String applicationId;
  private final String key;
  private final String user;
  private final long createdAtMillis;
  private final String body;
  private final boolean hasPlanText;
  private final boolean replacesEarlier;

  /**
   * @param applicationId   the Spark application it describes
   * @param key             Kafka record key: the process qualifiedName, so one application's messages keep order
   * @param user            msgCreatedBy
   * @param createdAtMillis msgCreationTime: when the lineage was captured, not when it was finally sent
   * @param body            the envelope's {@code message} JSON object, as text
   * @param hasPlanText     whether the body carries plan text the spool may shed when it is full
   */
  public OutboundMessage(String applicationId, String key, String user, long createdAtMillis, String body,
      boolean hasPlanText) {
    this(applicationId, key, user, createdAtMillis, body, hasPlanText, false);
  }

  /**
   * @param replacesEarlier whether this message holds the whole state of what its key names (a process with all
   *                        its inputs and outputs so far), so that an earlier message of the same key that is still
   *                        waiting to be sent says nothing this one does not: it may be left unsent
   */
  public OutboundMessage(String applicationId, String key, String user, long createdAtMillis, String body,
      boolean hasPlanText, boolean replacesEarlier) {
    this.applicationId = applicationId == null ? "" : applicationId;
    this.key = Objects.requireNonNull(key, "key");
    this.user = user == null ? "" : user;
    this.createdAtMillis = createdAtMillis;
    this.body = Objects.requireNonNull(body, "body");
    this.hasPlanText = hasPlanText;
    this.replacesEarlier = replacesEarlier;
  }

  public boolean replacesEarlier() {
    return replacesEarlier;
  }

  public String applicationId() {
    return applicationId;
  }

  public String key() {
    return key;
  }

  public String user() {
    return user;
  }

  public long createdAtMillis() {
    return createdAtMillis;
  }

  public String body() {
    return body;
  }

  public boolean hasPlanText() {
    return hasPlanText;
  }

  /** The same notification without plan text: what the spool keeps when it must make room. */
  public OutboundMessage withoutPlanText() {
    return hasPlanText ? new OutboundMessage(applicationId, key, user, createdAtMillis,
        NotificationJson.withoutPlanText(body), false, replacesEarlier)
        : this;
  }
}
