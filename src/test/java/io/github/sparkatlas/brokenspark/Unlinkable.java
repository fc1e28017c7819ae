package io.github.sparkatlas.brokenspark;

/**
 * Stands for a class of another Spark build that the driver cannot link: {@link FaultyClassLoader} fails to load
 * it, so reflecting on any class whose members name it fails the way the agent's reflection would fail.
 */
public final class Unlinkable {
  private Unlinkable() {
  }
}
