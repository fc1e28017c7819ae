package io.github.sparkatlas.e2e.harness;

/**
 * One record read back from the broker.
 *
 * @param key                 UTF-8 key, null when the producer sent none (Atlas itself sends a null key)
 * @param value               UTF-8 value
 * @param serializedValueSize bytes on the wire, to check size limits such as Event Hubs' 1 MB
 */
public record ConsumedRecord(String key, String value, int partition, long offset, int serializedValueSize) {
}
