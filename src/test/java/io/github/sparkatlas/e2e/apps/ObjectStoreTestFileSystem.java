package io.github.sparkatlas.e2e.apps;

import java.io.IOException;
import java.net.URI;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system for tests that answers for an object store's scheme ({@code s3a}, {@code abfss}, {@code gs},
 * {@code wasbs}, {@code dbfs}, ...) and keeps the data on the local disk: {@code s3a://lake/tmp/x} is the local file
 * {@code /tmp/x}, so every bucket or container is a view of the local file system, and what Spark lists, reads and
 * writes comes back named under the object store's URI. Register it per scheme with
 * {@code spark.hadoop.fs.<scheme>.impl=io.github.sparkatlas.e2e.apps.ObjectStoreTestFileSystem}: the job then runs
 * the same code paths as on the real store, up to the client library, which is what naming needs.
 */
public final class ObjectStoreTestFileSystem extends RawLocalFileSystem {
    private URI uri;

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        // Before the parent's initialize, which qualifies its working directory with getUri().
        // A store without authority (dbfs:/x) is named scheme:/// as Hadoop names the local file system file:///.
        uri = URI.create(name.getScheme() + "://" + (name.getRawAuthority() == null ? "/" : name.getRawAuthority()));
        super.initialize(name, conf);
    }

    @Override
    public URI getUri() {
        return uri == null ? super.getUri() : uri;
    }

    @Override
    public String getScheme() {
        return uri == null ? super.getScheme() : uri.getScheme();
    }

    @Override
    protected Path getInitialWorkingDirectory() {
        return makeQualified(new Path(System.getProperty("user.dir")));
    }
}
