package io.github.sparkatlas.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One notification ready for Kafka: one record value, or the ordered parts of a split one. All parts carry
 * the same key so that they land in one partition in order, as Atlas's reassembly requires.
 */
public final class EncodedMessage {
  private final String key;
  private final List<String> records;

  public EncodedMessage(String key, List<String> records) {
    this.key = key;
    this.records = Collections.unmodifiableList(new ArrayList<>(records));
  }

  /** The Kafka record key: the process qualifiedName, so one application's messages stay in order. */
  public String key() {
    return key;
  }

  /** The record values in the order they must be sent. */
  public List<String> records() {
    return records;
  }
}
