package dev.syncmap.replicate;

import java.io.OutputStream;

/** Counts the bytes written to it, keeping none (sizes of encoded values). */
final class CountingOutputStream extends OutputStream {

    private long count;

    @Override
    public void write(int b) {
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        count += len;
    }

    long count() {
        return count;
    }
}
