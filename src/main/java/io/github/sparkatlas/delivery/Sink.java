package io.github.sparkatlas.delivery;

import io.github.sparkatlas.message.EncodedMessage;

/** Where encoded notifications go. Called only from the agent's own thread. */
public interface Sink extends AutoCloseable {
  /** Hands a message over; delivery may complete later. Never throws for a delivery failure: it logs and counts. */
  void send(String applicationId, EncodedMessage message);

  /** Waits at most {@code timeoutMillis} for everything handed over to be delivered; true when all was. */
  boolean flush(long timeoutMillis);

  /** Records acknowledged by the destination so far. */
  long delivered();

  /** Records the destination refused or that could not be delivered. */
  long failed();

  @Override
  void close();
}
