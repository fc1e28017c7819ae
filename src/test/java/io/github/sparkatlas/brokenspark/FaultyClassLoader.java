package io.github.sparkatlas.brokenspark;

import java.io.IOException;
import java.io.InputStream;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;

/**
 * Defines this package's event and query-execution classes itself and fails to load {@link Unlinkable} with a
 * chosen fault. That is how internal errors reach a listener in a real driver: the JVM throws what loading a
 * class threw (NoClassDefFoundError or another LinkageError for a class of another build,
 * ExceptionInInitializerError for a class whose static initializer failed, StackOverflowError when the stack
 * runs out while loading) from the reflective call that needed it. Each fault gets a fresh loader, so every
 * reflective lookup fails again, as it does in a driver.
 */
public final class FaultyClassLoader extends ClassLoader {
  private static final String PACKAGE = FaultyClassLoader.class.getPackage().getName() + ".";

  private final Throwable fault;

  public FaultyClassLoader(Throwable fault) {
    super(FaultyClassLoader.class.getClassLoader());
    if (!(fault instanceof RuntimeException || fault instanceof Error)) {
      throw new IllegalArgumentException("an unchecked fault: " + fault);
    }
    this.fault = fault;
  }

  /** A SQL execution start event whose class cannot be reflected on. */
  public SparkListenerEvent executionStart(long executionId) {
    try {
      return (SparkListenerEvent) loadClass(SparkListenerSQLExecutionStart.class.getName())
          .getConstructor(long.class).newInstance(executionId);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A query execution of {@code session} whose class cannot be reflected on. */
  public QueryExecution queryExecution(SparkSession session) {
    try {
      return (QueryExecution) loadClass(BrokenQueryExecution.class.getName())
          .getConstructor(SparkSession.class).newInstance(session);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.equals(Unlinkable.class.getName())) {
      if (fault instanceof Error) {
        throw (Error) fault;
      }
      throw (RuntimeException) fault;
    }
    if (!name.startsWith(PACKAGE) || name.equals(FaultyClassLoader.class.getName())) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource)) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] bytes = in.readAllBytes();
          loaded = defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
      return loaded;
    }
  }
}
