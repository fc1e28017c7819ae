package io.github.sparkatlas.delivery.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A spool's dead-letter file: messages Kafka will never accept as they are (larger than the broker allows), kept
 * out of the way of the rest, in the same frame format, for the replay command to send once the limit is fixed.
 */
final class DeadLetters {
  private final Path file;

  DeadLetters(Path spoolDir) {
    this.file = spoolDir.resolve(Spool.REJECTED_FILE);
  }

  void append(byte[] frame) throws IOException {
    try (FileChannel out = PrivateFiles.openForAppend(file)) {
      PrivateFiles.writeFully(out, frame);
      out.force(false);
    }
  }

  boolean exist() {
    return Files.exists(file);
  }

  List<SpoolEntry> entries() throws IOException {
    List<SpoolEntry> entries = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return entries;
    }
    for (Frame frame : FrameCodec.readFrames(file, Files.size(file))) {
      entries.add(frame.entry());
    }
    return entries;
  }

  /** How many messages the file holds. */
  int count() throws IOException {
    return Files.isRegularFile(file) ? FrameCodec.readFrames(file, Files.size(file)).size() : 0;
  }

  void clear() throws IOException {
    Files.deleteIfExists(file);
  }
}
