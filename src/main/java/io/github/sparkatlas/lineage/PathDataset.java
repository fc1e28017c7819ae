package io.github.sparkatlas.lineage;

import java.net.URI;
import java.util.Objects;

/** A directory or file root read or written by path, with its fully qualified URI (scheme always present). */
public final class PathDataset extends Dataset {
  private final URI uri;

  private PathDataset(URI uri) {
    this.uri = uri;
  }

  /**
   * @param uri a fully qualified URI; a trailing slash is dropped so that one directory has one name, and an
   *            empty authority is written as Hadoop writes it ({@code file:/x}, not {@code file:///x}), the
   *            form Atlas's own hooks use for the same path
   */
  public static PathDataset of(URI uri) {
    Objects.requireNonNull(uri.getScheme(), "a dataset path must be qualified: " + uri);
    String text = uri.toString();
    String emptyAuthority = uri.getScheme() + ":///";
    if (uri.getRawAuthority() == null && text.startsWith(emptyAuthority)) {
      text = uri.getScheme() + ":/" + text.substring(emptyAuthority.length());
    }
    String path = uri.getRawPath();
    boolean plain = uri.getRawQuery() == null && uri.getRawFragment() == null;
    while (plain && path != null && path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
      text = text.substring(0, text.length() - 1);
    }
    return new PathDataset(URI.create(text));
  }

  public URI uri() {
    return uri;
  }

  public String scheme() {
    return uri.getScheme().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String key() {
    return "path:" + uri;
  }
}
