package io.github.sparkatlas.capture;

/** A plan could not be read as expected; the capture of that one execution is abandoned. */
public final class CaptureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CaptureException(String message, Throwable cause) {
    super(message, cause);
  }
}
