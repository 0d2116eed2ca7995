//! Physical line numbers for the records of a CSV read as a stream.
//!
//! The `csv` crate's record positions count the `\n` bytes it has consumed
//! when a record begins; a record ended by `\r\n` is ended at the `\r`, so
//! the `\n` is consumed with the next record and that record's line lags by
//! one (and by one more per blank line before it). Byte offsets are exact,
//! so a reader that keeps the bytes it has handed over but not yet counted
//! gives every record the line of its first byte that is not a line
//! terminator, whatever the terminators.

use std::io::{self, Read};

/// A reader that keeps the bytes it has passed on since the last counted
/// record start, so [`LineTracked::line_at`] can count their line breaks.
///
/// The `csv` reader buffers ahead, so what is kept is about one record and
/// its buffer's worth (8 KiB) of the next; counted bytes are dropped once
/// they are at least half of what is kept, so each byte is moved at most
/// about once.
#[derive(Debug)]
pub(crate) struct LineTracked<R> {
    inner: R,
    /// The bytes from offset `kept_from` on.
    kept: Vec<u8>,
    kept_from: u64,
    /// How many of `kept` have been counted.
    counted: usize,
    /// The 1-based line of `kept[counted]`.
    line: u64,
}

impl<R> LineTracked<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            kept: Vec::new(),
            kept_from: 0,
            counted: 0,
            line: 1,
        }
    }

    /// The line of the record starting at byte offset `byte` (the `csv`
    /// crate's `Position::byte`): the line of its first byte that is not
    /// `\r` or `\n`. Offsets must not decrease from one call to the next.
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        let from = usize::try_from(byte.saturating_sub(self.kept_from))
            .unwrap_or(usize::MAX)
            .clamp(self.counted, self.kept.len());
        let start = from
            + self.kept[from..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        let breaks = self.kept[self.counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += breaks as u64;
        self.counted = start;
        self.line
    }
}

impl<R: Read> Read for LineTracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.counted > 0 && self.counted >= self.kept.len() / 2 {
            self.kept.drain(..self.counted);
            self.kept_from += self.counted as u64;
            self.counted = 0;
        }
        let n = self.inner.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands over at most three bytes a call, so the kept
    /// bytes are dropped and refilled many times within one file.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(3).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The line of every record as the `csv` crate reads them through a
    /// [`LineTracked`] reader, handed the text three bytes at a time.
    fn lines(text: &str) -> Vec<u64> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(LineTracked::new(Trickle(text.as_bytes())));
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while csv.read_record(&mut record).unwrap() {
            let byte = record.position().map_or(0, csv::Position::byte);
            out.push(csv.get_mut().line_at(byte));
        }
        out
    }

    #[test]
    fn records_get_the_line_their_first_byte_is_on() {
        // Counted by hand: a, b, c, d on lines 1, 2, 3, 4.
        assert_eq!(lines("a\nb\nc\nd\n"), [1, 2, 3, 4]);
        assert_eq!(lines("a\r\nb\r\nc\r\nd"), [1, 2, 3, 4]);
        // Blank lines: a on 1, b on 3, c on 6.
        assert_eq!(lines("a\r\n\r\nb\r\n\r\n\r\nc\r\n"), [1, 3, 6]);
        assert_eq!(lines("a\n\nb\n\n\nc\n"), [1, 3, 6]);
        // A quoted field over two lines: a on 1, "x\ny" on 2, b on 4.
        assert_eq!(lines("a\r\n\"x\r\ny\"\r\nb\r\n"), [1, 2, 4]);
    }

    #[test]
    fn a_long_file_keeps_counting_across_dropped_bytes() {
        // Record i on its own line, a blank line after every seventh,
        // CRLF and LF alternating; each record's line is its index among
        // the file's lines.
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!("r{i}"));
            text.push_str(if i % 2 == 0 { "\r\n" } else { "\n" });
            if i % 7 == 6 {
                text.push_str("\r\n");
            }
        }
        let expected: Vec<u64> = text
            .split('\n')
            .enumerate()
            .filter(|(_, line)| line.starts_with('r'))
            .map(|(i, _)| i as u64 + 1)
            .collect();
        assert_eq!(expected.len(), 2000);
        assert_eq!(lines(&text), expected);
    }

    #[test]
    fn the_csv_crate_alone_lags_after_crlf() {
        // Why this module exists: were this to start passing, the csv
        // crate's own positions would do.
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader("a\r\nb\r\n".as_bytes());
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while csv.read_record(&mut record).unwrap() {
            out.push(record.position().map_or(0, csv::Position::line));
        }
        assert_eq!(out, [1, 1]);
    }
}
