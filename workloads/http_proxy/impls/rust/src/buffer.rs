//! A byte queue for one direction of a connection: reads append at the end, the proxy consumes from the
//! front, and the space in front is reclaimed before the next read instead of after every consume.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Room guaranteed for each read: a typical response arrives in one.
const READ_BYTES: usize = 16 * 1024;

#[derive(Default, Debug)]
pub struct Buffer {
    bytes: Vec<u8>,
    start: usize,
}

impl Buffer {
    /// The bytes not consumed yet.
    pub fn data(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// The bytes not consumed yet, to rewrite in place.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[self.start..]
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.bytes.len()
    }

    /// Drops the first `n` bytes of `data()`.
    pub fn consume(&mut self, n: usize) {
        self.start += n;
        debug_assert!(self.start <= self.bytes.len());
        if self.start == self.bytes.len() {
            self.clear();
        }
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.start = 0;
    }

    /// Bytes allocated (a pooled buffer that grew large is freed instead of kept).
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Appends what one read from `reader` gives; Ok(0) when the peer closed.
    pub async fn read_from<R: AsyncRead + Unpin>(&mut self, reader: &mut R) -> io::Result<usize> {
        if self.start > 0 && self.bytes.capacity() - self.bytes.len() < READ_BYTES {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
        self.bytes.reserve(READ_BYTES);
        reader.read_buf(&mut self.bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_append_and_consumes_drop_from_the_front() {
        let mut buffer = Buffer::default();
        let mut source: &[u8] = b"hello world";
        assert_eq!(buffer.read_from(&mut source).await.unwrap(), 11);
        buffer.consume(6);
        assert_eq!(buffer.data(), b"world");
        let mut more: &[u8] = b"!";
        buffer.read_from(&mut more).await.unwrap();
        assert_eq!(buffer.data(), b"world!");
        buffer.consume(6);
        assert!(buffer.is_empty());
        let mut closed: &[u8] = b"";
        assert_eq!(buffer.read_from(&mut closed).await.unwrap(), 0);
    }
}
