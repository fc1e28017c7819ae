package io.github.sparkatlas.delivery.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;

/**
 * Who owns a spool: an OS file lock on its lock file, held for as long as an application uses the spool. The OS
 * releases it when the process ends, even by {@code kill -9}, which is how a later application knows a spool is
 * an orphan it may send, and that one still locked belongs to a live application.
 */
final class SpoolLock {
  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the spool in {@code dir}; fails with {@link Spool.InUseException} if a live process (or this one) has it. */
  static SpoolLock acquire(Path dir) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve(Spool.LOCK_FILE),
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), PrivateFiles.ownerOnly());
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new Spool.InUseException(dir);
    }
    return new SpoolLock(channel, lock);
  }

  void release() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      // The lock goes with the process at the latest.
    }
  }
}
