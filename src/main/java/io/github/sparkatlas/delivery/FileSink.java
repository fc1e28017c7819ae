package io.github.sparkatlas.delivery;

import io.github.sparkatlas.delivery.spool.PrivateFiles;
import io.github.sparkatlas.message.EncodedMessage;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.redact.Redactor;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline mode: appends the exact record values that would have gone to Kafka, one JSON document per line, to
 * {@code <dir>/<applicationId>/atlas-hook.jsonl}, for air-gapped sites to upload or replay later.
 */
public final class FileSink implements Sink {
  public static final String FILE_NAME = "atlas-hook.jsonl";
  private static final Logger LOG = LoggerFactory.getLogger(FileSink.class);

  private final Path directory;
  private final NotificationEncoder encoder;
  private final Redactor redactor;
  private long delivered;
  private long failed;
  private long messagesWritten;
  private long messagesFailed;
  private boolean errorLogged;

  public FileSink(Path directory, NotificationEncoder encoder) {
    this(directory, encoder, Redactor.defaults());
  }

  /** @param redactor masks the file sink's error line, which quotes an exception message and a path */
  public FileSink(Path directory, NotificationEncoder encoder, Redactor redactor) {
    this.directory = directory;
    this.encoder = encoder;
    this.redactor = redactor;
  }

  @Override
  public void accept(OutboundMessage notification) {
    send(notification.applicationId(), encoder.encode(notification, false));
  }

  public Path fileFor(String applicationId) {
    String folder = applicationId.replaceAll("[^A-Za-z0-9._-]", "_");
    if (folder.isEmpty() || folder.equals(".") || folder.equals("..")) {
      folder = "_" + folder;
    }
    return directory.resolve(folder).resolve(FILE_NAME);
  }

  /** Appends the records of one message, in order; counts it as delivered or failed. */
  public void send(String applicationId, EncodedMessage message) {
    Path file = fileFor(applicationId);
    try {
      // Lineage names private tables and paths: the same owner-only permissions as the spool.
      PrivateFiles.createPrivateDirectories(directory);
      PrivateFiles.createPrivateDirectories(file.getParent());
      try (Writer out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(
          PrivateFiles.openForAppend(file)), StandardCharsets.UTF_8.newEncoder()))) {
        for (String record : message.records()) {
          out.write(record);
          out.write('\n');
        }
      }
      delivered += message.records().size();
      messagesWritten++;
    } catch (IOException | RuntimeException e) {
      failed += message.records().size();
      messagesFailed++;
      if (!errorLogged) {
        errorLogged = true;
        LOG.error("spark-atlas-agent cannot write lineage to {} ({}); check atlas.spark.file.sink.dir",
            redactor.redact(file.toString()), redactor.redact(e.toString()));
      }
    }
  }

  @Override
  public boolean flush(long timeoutMillis) {
    return true;
  }

  /** Records written so far. */
  public long delivered() {
    return delivered;
  }

  /** Records that could not be written. */
  public long failed() {
    return failed;
  }

  @Override
  public DeliveryStats stats() {
    return new DeliveryStats(messagesWritten, 0, 0, messagesFailed, 0, 0, 0);
  }

  @Override
  public void close(long timeoutMillis) {
  }
}
