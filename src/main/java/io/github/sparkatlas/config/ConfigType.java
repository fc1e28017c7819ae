package io.github.sparkatlas.config;

import io.github.sparkatlas.redact.Redactor;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** How the raw string of one key becomes a typed value; a bad string is a {@link ConfigException}. */
public abstract class ConfigType<T> {
  private final String description;

  private ConfigType(String description) {
    this.description = description;
  }

  /** What the README's type column says. */
  public String description() {
    return description;
  }

  abstract T parse(String key, String raw);

  public static final ConfigType<String> STRING = new ConfigType<String>("string") {
    @Override
    String parse(String key, String raw) {
      return raw.trim();
    }
  };

  public static final ConfigType<Boolean> BOOLEAN = new ConfigType<Boolean>("boolean") {
    @Override
    Boolean parse(String key, String raw) {
      String value = raw.trim().toLowerCase(Locale.ROOT);
      if (value.equals("true")) {
        return Boolean.TRUE;
      }
      if (value.equals("false")) {
        return Boolean.FALSE;
      }
      throw invalid(key, raw, "true or false");
    }
  };

  public static ConfigType<Integer> intInRange(final int min, final int max) {
    final ConfigType<Long> range = longInRange(min, max);
    return new ConfigType<Integer>("int " + min + ".." + max) {
      @Override
      Integer parse(String key, String raw) {
        return range.parse(key, raw).intValue();
      }
    };
  }

  public static ConfigType<Long> longInRange(final long min, final long max) {
    return new ConfigType<Long>("long " + min + ".." + max) {
      @Override
      Long parse(String key, String raw) {
        long value = parseLong(key, raw, "a whole number from " + min + " to " + max);
        if (value < min || value > max) {
          throw invalid(key, raw, "a whole number from " + min + " to " + max);
        }
        return value;
      }
    };
  }

  /** One of a fixed set of lower-case words, matched case-insensitively. */
  public static ConfigType<String> oneOf(String... accepted) {
    final List<String> values = Collections.unmodifiableList(Arrays.asList(accepted));
    return new ConfigType<String>("one of " + String.join(", ", values)) {
      @Override
      String parse(String key, String raw) {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        if (!values.contains(value)) {
          throw invalid(key, raw, String.join(" | ", values));
        }
        return value;
      }
    };
  }

  private static long parseLong(String key, String raw, String accepted) {
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, raw, accepted);
    }
  }

  /**
   * The bad value is quoted, as the agent's one redactor shows a value of that key: a value put under the wrong
   * key can be a password. The user's own redaction settings are applied on top where the error is reported.
   */
  static ConfigException invalid(String key, String raw, String accepted) {
    return new ConfigException("invalid value '" + Redactor.defaults().redactValue(key, raw) + "' for " + key
        + "; accepted: " + accepted);
  }
}
