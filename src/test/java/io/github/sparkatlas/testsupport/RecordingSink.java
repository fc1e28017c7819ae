package io.github.sparkatlas.testsupport;

import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.message.OutboundMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sink that keeps every message it is handed and delivers at once: what a pipeline test reads back. */
public final class RecordingSink implements Sink {
  public final List<OutboundMessage> accepted = new CopyOnWriteArrayList<>();

  @Override
  public void accept(OutboundMessage message) {
    accepted.add(message);
  }

  @Override
  public boolean flush(long timeoutMillis) {
    return true;
  }

  /** Everything accepted counts as sent, as a destination that never fails would report it. */
  @Override
  public DeliveryStats stats() {
    return new DeliveryStats(accepted.size(), 0, 0, 0, 0, 0, 0);
  }

  @Override
  public void close(long timeoutMillis) {
  }
}
