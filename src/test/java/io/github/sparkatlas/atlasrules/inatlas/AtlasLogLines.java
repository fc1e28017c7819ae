package io.github.sparkatlas.atlasrules.inatlas;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * What Atlas's own code logs at WARN or above while we call it: Atlas's deserializer says why it drops a record only
 * in its log ("first message didn't arrive", "message 2 of 3 is missing", "evicting notification ..."), so these lines
 * are the reasons we report. Atlas logs through SLF4J to logback (its runtime tree, see src/test/runtimes/atlas);
 * {@code atlasrules/isolated/logback-test.xml} sends WARN and above to a ListAppender named CAPTURE, read here by
 * reflection so that nothing of logback is needed to compile.
 *
 * <p>Atlas's loggers are static, so one {@link Scope} at a time: a scope holds a JVM-wide lock while we call Atlas,
 * and the lines logged in between belong to that call.
 */
final class AtlasLogLines {

    private static final ReentrantLock LOCK = new ReentrantLock();

    private AtlasLogLines() {
    }

    /** The lines logged between {@link #scope()} and {@link #lines()}. */
    static final class Scope implements AutoCloseable {
        private Scope() {
            drain();
        }

        List<String> lines() {
            return drain();
        }

        @Override
        public void close() {
            drain();
            LOCK.unlock();
        }
    }

    static Scope scope() {
        LOCK.lock();
        try {
            return new Scope();
        } catch (RuntimeException | Error e) {
            LOCK.unlock();
            throw e;
        }
    }

    private static List<String> drain() {
        Object appender = appender();
        List<Object> events;
        synchronized (appender) {
            List<?> list = (List<?>) read(appender, "list");
            events = new ArrayList<>(list);
            list.clear();
        }
        List<String> lines = new ArrayList<>();
        for (Object event : events) {
            StringBuilder line = new StringBuilder("Atlas ").append(call(event, "getLevel")).append(' ')
                    .append(shortName((String) call(event, "getLoggerName"))).append(": ")
                    .append(call(event, "getFormattedMessage"));
            Object thrown = call(event, "getThrowableProxy");
            while (thrown != null) {
                line.append(" (").append(call(thrown, "getClassName")).append(": ").append(call(thrown, "getMessage"))
                        .append(')');
                thrown = call(thrown, "getCause");
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static Object appender() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        Object root = invoke(factory, "getLogger", "ROOT");
        Object appender = invoke(root, "getAppender", "CAPTURE");
        if (appender == null) {
            throw new IllegalStateException("Atlas's logback has no CAPTURE appender (" + factory.getClass().getName()
                    + "): is atlasrules/isolated/logback-test.xml on the isolated class loader?");
        }
        return appender;
    }

    private static Object call(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object invoke(Object target, String method, String arg) {
        try {
            return target.getClass().getMethod(method, String.class).invoke(target, arg);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object read(Object target, String field) {
        try {
            return target.getClass().getField(field).get(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
