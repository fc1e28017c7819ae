package io.github.sparkatlas.delivery;

import io.github.sparkatlas.message.OutboundMessage;

/** Where notifications go. {@link #accept} is called only from the agent's own thread. */
public interface Sink extends AutoCloseable {
  /**
   * Takes a notification over. May write to local disk, never waits for the network, never throws for a
   * delivery problem: it keeps the notification for later, logs and counts.
   */
  void accept(OutboundMessage notification);

  /** Called when the agent has nothing else to do: a moment to make what was accepted durable. */
  default void sync() {
  }

  /** Waits at most {@code timeoutMillis} for everything accepted so far to be delivered; true when all was. */
  boolean flush(long timeoutMillis);

  /**
   * Whether the destination is known to refuse what it is sent (wrong credentials, untrusted certificate, no such
   * topic): a flush cannot succeed, so nobody should wait for one.
   */
  default boolean refusing() {
    return false;
  }

  /** Counters for the summary line. */
  DeliveryStats stats();

  /** Stops delivering within about {@code timeoutMillis}; what is undelivered stays where it is kept. */
  void close(long timeoutMillis);

  @Override
  default void close() {
    close(0);
  }
}
