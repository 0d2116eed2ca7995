//! The scored CSV reader: bytes in, cells out, on all cores.
//!
//! The input is read in blocks of [`BLOCK_BYTES`], each cut after the last
//! line break that lies outside quotes (an even number of `"` before it:
//! RFC 4180 quotes come in pairs, `""` inside a field included), so no
//! record straddles two blocks. A block is cut the same way into a few
//! parts per thread; the parts are parsed in parallel (rayon) into byte
//! codes, while the parts of the block before are pushed into the builder
//! in file order and the next block is read and cut on the calling thread.
//! A part without quotes is split at line breaks and commas directly (its
//! usual record, an id and one digit per item, four digits a 64-bit word
//! at a time); any other part is read by the `csv` crate
//! (`ByteRecord`, no `String` per cell). Person ids are hashed in the
//! parse, so the serial push only files them. Line numbers count the line
//! breaks before a part, so errors name the same line as a sequential
//! read, and the first error in file order is the one reported.

use super::{
    ABSENT_CODE, CsvOptions, MAX_CELL_SCORE, ResponseMatrix, ResponseMatrixBuilder, ResponsesError,
};
use crate::ids::{ItemId, PersonId};
use hashbrown::DefaultHashBuilder;
use rayon::prelude::*;
use std::hash::BuildHasher;
use std::io::Read;

/// Bytes read per block (small under test, so tests cross blocks).
const BLOCK_BYTES: usize = if cfg!(test) { 1 << 12 } else { 8 << 20 };

/// The smallest part worth a task of its own (small under test).
const MIN_PART_BYTES: usize = if cfg!(test) { 1 << 8 } else { 1 << 16 };

/// Parts per block and thread: a few, so that uneven parts even out.
const PARTS_PER_THREAD: usize = 4;

/// What a part's parser needs to know about the file.
struct Layout<'a> {
    source_name: &'a str,
    items: &'a [ItemId],
    /// Fields per row (the header's).
    width: usize,
    id_column: bool,
    /// The builder's hasher, so that parts hash their person ids in
    /// parallel.
    hasher: DefaultHashBuilder,
}

/// The rows of one part: ids and their hashes (empty without an id
/// column), the line and the record ordinal (within the part, blank lines
/// counted) of each row, the cell codes row-major, whether every cell of
/// the rows is a score and then each column's largest, the records seen,
/// and the error that stopped the part, if one did.
#[derive(Default)]
struct Part {
    ids: Vec<PersonId>,
    hashes: Vec<u64>,
    lines: Vec<u64>,
    ordinals: Vec<usize>,
    codes: Vec<u8>,
    complete: bool,
    max: Vec<u8>,
    records: usize,
    error: Option<ResponsesError>,
}

impl Part {
    /// Adds the id of the next row, with its hash by `hasher`.
    fn push_id(&mut self, id: PersonId, hasher: &DefaultHashBuilder) {
        self.hashes.push(hasher.hash_one(id.as_str()));
        self.ids.push(id);
    }
}

impl ResponseMatrix {
    /// Reads the scored CSV of the CLI contract. `source_name` (usually the
    /// path) is used in error messages.
    pub fn from_csv<R: Read>(
        mut reader: R,
        source_name: &str,
        options: CsvOptions,
    ) -> Result<Self, ResponsesError> {
        let io_error = |e: std::io::Error| ResponsesError::Csv {
            source_name: source_name.to_owned(),
            message: e.to_string(),
        };
        let mut buffer = Vec::with_capacity(BLOCK_BYTES);
        let mut eof = fill(&mut reader, &mut buffer).map_err(io_error)?;
        // The header may be longer than one block.
        let (items, header_end) = loop {
            if let Some(header) = read_header(&buffer, eof, source_name, options)? {
                break header;
            }
            eof = fill(&mut reader, &mut buffer).map_err(io_error)?;
        };
        let mut builder = ResponseMatrixBuilder::new(items.clone()).map_err(|item| {
            ResponsesError::DuplicateItem {
                source_name: source_name.to_owned(),
                item,
            }
        })?;
        let layout = Layout {
            source_name,
            items: &items,
            width: items.len() + usize::from(options.id_column),
            id_column: options.id_column,
            hasher: builder.hasher.clone(),
        };
        let mut line = 1 + count_byte(&buffer[..header_end], b'\n');
        buffer.drain(..header_end);
        let mut pushed = Pushed::default();
        // While a block's parts are parsed, the parts of the block before
        // are pushed into the builder and the next block is read (into the
        // other buffer, after the records this block cut off).
        let mut parsed: Vec<Part> = Vec::new();
        let mut next_buffer = Vec::with_capacity(BLOCK_BYTES);
        let parts_wanted = rayon::current_num_threads() * PARTS_PER_THREAD;
        let mut cut = Cut::of(&buffer, eof, parts_wanted);
        loop {
            let (block, rest) = buffer.split_at(cut.end);
            next_buffer.clear();
            next_buffer.extend_from_slice(rest);
            let previous = std::mem::take(&mut parsed);
            let mut pushing = Ok(());
            let mut read = Ok(None);
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| pushing = pushed.push_all(&mut builder, previous, source_name));
                scope.spawn(|_| {
                    parsed = cut
                        .parts
                        .par_iter()
                        .map(|&(start, stop, lines_before)| {
                            parse_part(&block[start..stop], line + lines_before, &layout)
                        })
                        .collect();
                });
                if !eof {
                    read = fill(&mut reader, &mut next_buffer)
                        .map(|eof| Some((eof, Cut::of(&next_buffer, eof, parts_wanted))));
                }
            });
            pushing?;
            line += cut.lines;
            let Some((next_eof, next_cut)) = read.map_err(io_error)? else {
                break;
            };
            (eof, cut) = (next_eof, next_cut);
            std::mem::swap(&mut buffer, &mut next_buffer);
        }
        pushed.push_all(&mut builder, parsed, source_name)?;
        Ok(builder.build())
    }
}

/// Where a buffer's block of whole records ends (after its last line break
/// outside quotes, or at the buffer's end at the end of the input), the
/// parts it is parsed in and its line breaks.
struct Cut {
    end: usize,
    parts: Vec<(usize, usize, u64)>,
    lines: u64,
}

impl Cut {
    /// The cut of `buffer` into about `parts` parts.
    fn of(buffer: &[u8], eof: bool, parts: usize) -> Self {
        let quoted = memchr::memchr(b'"', buffer).is_some();
        let end = if eof {
            buffer.len()
        } else {
            last_record_end(buffer, quoted).unwrap_or(0)
        };
        let (parts, lines) = split_parts(&buffer[..end], quoted, parts);
        Self { end, parts, lines }
    }
}

/// Reads up to [`BLOCK_BYTES`] more bytes onto `buffer`; true at the end of
/// the input.
fn fill(reader: &mut impl Read, buffer: &mut Vec<u8>) -> std::io::Result<bool> {
    let want = buffer.len() + BLOCK_BYTES;
    while buffer.len() < want {
        let before = buffer.len();
        reader
            .by_ref()
            .take((want - before) as u64)
            .read_to_end(buffer)?;
        if buffer.len() == before {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The item ids of the header and the byte where the first row starts;
/// `None` if the header is not complete in `data` yet.
fn read_header(
    data: &[u8],
    eof: bool,
    source_name: &str,
    options: CsvOptions,
) -> Result<Option<(Vec<ItemId>, usize)>, ResponsesError> {
    let end = match first_record_end(data) {
        Some(end) => end,
        None if eof => data.len(),
        None => return Ok(None),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(&data[..end]);
    let header = rdr.byte_headers().map_err(|e| ResponsesError::Csv {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    })?;
    let skip = usize::from(options.id_column);
    let mut items: Vec<ItemId> = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate().skip(skip) {
        let id = utf8_id(h, source_name, 1, i + 1)?;
        if id.trim().is_empty() {
            return Err(ResponsesError::EmptyItemId {
                source_name: source_name.to_owned(),
                column: i + 1,
            });
        }
        items.push(ItemId::new(id));
    }
    if items.is_empty() {
        return Err(ResponsesError::NoItems {
            source_name: source_name.to_owned(),
        });
    }
    Ok(Some((items, end)))
}

/// The end (after its line break) of the first line break outside quotes.
fn first_record_end(data: &[u8]) -> Option<usize> {
    let mut quoted = false;
    data.iter()
        .position(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == b'\n' && !quoted
        })
        .map(|p| p + 1)
}

/// The end (after its line break) of the last line break outside quotes,
/// for `data` that holds a `"` if `quoted`.
fn last_record_end(data: &[u8], quoted: bool) -> Option<usize> {
    if !quoted {
        return memchr::memrchr(b'\n', data).map(|p| p + 1);
    }
    let mut quoted = count_byte(data, b'"') % 2 == 1;
    data.iter()
        .rposition(|&b| {
            let at_break = b == b'\n' && !quoted;
            if b == b'"' {
                quoted = !quoted;
            }
            at_break
        })
        .map(|p| p + 1)
}

/// Cuts `block` (whole records, holding a `"` if `quoted`) into about
/// `parts` ranges of whole records: `(start, end, line breaks before
/// start)`, with the block's line breaks.
fn split_parts(block: &[u8], quoted: bool, parts: usize) -> (Vec<(usize, usize, u64)>, u64) {
    let target = (block.len() / parts.max(1)).max(MIN_PART_BYTES);
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    let mut lines = 0;
    while start < block.len() {
        let stop = if block.len() - start <= target {
            block.len()
        } else {
            // The first record end at or after the target size.
            let from = start + target;
            match first_record_end_from(block, start, from, quoted) {
                Some(end) => end,
                None => block.len(),
            }
        };
        ranges.push((start, stop, lines));
        lines += count_byte(&block[start..stop], b'\n');
        start = stop;
    }
    (ranges, lines)
}

/// The end of the first line break outside quotes at or after `from`, for
/// a `block` whose records start at `start` and which holds a `"` if
/// `quoted`.
fn first_record_end_from(block: &[u8], start: usize, from: usize, quoted: bool) -> Option<usize> {
    if !quoted {
        return memchr::memchr(b'\n', &block[from..]).map(|p| from + p + 1);
    }
    let mut quoted = count_byte(&block[start..from], b'"') % 2 == 1;
    block[from..]
        .iter()
        .position(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == b'\n' && !quoted
        })
        .map(|p| from + p + 1)
}

/// Occurrences of `byte` in `data`, as a line count.
fn count_byte(data: &[u8], byte: u8) -> u64 {
    memchr::memchr_iter(byte, data).count() as u64
}

/// Parses the records of one part, whose first line is `first_line`: by
/// splitting lines at commas when the part is plain (no quote, and every
/// carriage return ends a line), where that reads what the `csv` crate
/// reads, else by the `csv` crate.
fn parse_part(data: &[u8], first_line: u64, layout: &Layout<'_>) -> Part {
    let mut part = Part::default();
    let parsed = if is_plain(data) {
        parse_plain(&mut part, data, first_line, layout)
    } else {
        parse_into(&mut part, data, first_line, layout)
    };
    if let Err(error) = parsed {
        part.error = Some(error);
    }
    let k = layout.items.len();
    let rows = &part.codes[..part.lines.len() * k];
    part.complete = rows.iter().fold(0, |m, &c| c.max(m)) <= MAX_CELL_SCORE;
    if part.complete {
        part.max = vec![0; k];
        for row in rows.chunks_exact(k) {
            for (m, &c) in part.max.iter_mut().zip(row) {
                *m = (*m).max(c);
            }
        }
    }
    part
}

/// Whether `data` holds no `"` and no carriage return but before a line
/// feed: then its records are its non-empty lines (less a final `\r`) and
/// their fields what lies between commas, as the `csv` crate reads them.
fn is_plain(data: &[u8]) -> bool {
    memchr::memchr2_iter(b'"', b'\r', data)
        .all(|i| data[i] == b'\r' && data.get(i + 1) == Some(&b'\n'))
}

/// Parses a plain part (see [`is_plain`]) line by line.
fn parse_plain(
    part: &mut Part,
    data: &[u8],
    first_line: u64,
    layout: &Layout<'_>,
) -> Result<(), ResponsesError> {
    let source_name = layout.source_name;
    let mut line = first_line;
    let mut start = 0;
    while start < data.len() {
        let this_line = line;
        line += 1;
        if let Some(next) = read_digit_row(part, data, start, this_line, layout) {
            start = next;
            continue;
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |e| start + e);
        let record = &data[start..end];
        let record = record.strip_suffix(b"\r").unwrap_or(record);
        start = end + 1;
        if record.is_empty() {
            continue; // a blank line, which the csv crate skips too
        }
        let ordinal = part.records;
        part.records += 1;
        let found = record.iter().filter(|&&b| b == b',').count() + 1;
        if found != layout.width {
            return Err(ResponsesError::RowLength {
                source_name: source_name.to_owned(),
                line: this_line,
                expected: layout.width,
                found,
            });
        }
        let cells = if layout.id_column {
            // The id is the field before the first comma.
            let comma = memchr::memchr(b',', record).unwrap_or(record.len());
            let id = person_id(&record[..comma], source_name, this_line)?;
            part.push_id(id, &layout.hasher);
            record.get(comma + 1..).unwrap_or_default()
        } else {
            record
        };
        push_cells(&mut part.codes, cells, layout.items, source_name, this_line)?;
        part.lines.push(this_line);
        part.ordinals.push(ordinal);
    }
    Ok(())
}

/// Reads the record at `start` of a plain part, on `line`, if it is the
/// usual one: a valid id (with an id column) and one digit per item, then
/// a line break or the part's end; returns where the next line starts.
/// Leaves `part` as it was otherwise, for the general path to read (or
/// report) the line. No line-break search: such a record's length is
/// known once its id is.
fn read_digit_row(
    part: &mut Part,
    data: &[u8],
    start: usize,
    line: u64,
    layout: &Layout<'_>,
) -> Option<usize> {
    let rest = &data[start..];
    let cells_start = if layout.id_column {
        memchr::memchr(b',', rest)? + 1
    } else {
        0
    };
    let cells_end = cells_start + (2 * layout.items.len()).checked_sub(1)?;
    let next = match rest.get(cells_end) {
        None if cells_end == rest.len() => cells_end,
        Some(b'\n') => cells_end + 1,
        Some(b'\r') if rest.get(cells_end + 1) == Some(&b'\n') => cells_end + 2,
        _ => return None,
    };
    let id = match cells_start.checked_sub(1) {
        Some(comma) if rest[..comma].contains(&b'\n') => return None,
        Some(comma) => Some(person_id(&rest[..comma], layout.source_name, line).ok()?),
        None => None,
    };
    if !push_digits(&mut part.codes, &rest[cells_start..cells_end], layout.items) {
        return None;
    }
    if let Some(id) = id {
        part.push_id(id, &layout.hasher);
    }
    part.lines.push(line);
    part.ordinals.push(part.records);
    part.records += 1;
    Some(start + next)
}

/// Appends the codes of `cells`, the item fields of a plain record, if
/// they are the usual record of one digit per item (`d,d,...,d`: a digit
/// at every even position, a comma at every odd one); true if they were.
fn push_digits(codes: &mut Vec<u8>, cells: &[u8], items: &[ItemId]) -> bool {
    let k = items.len();
    let Some((&last, pairs)) = cells.split_last() else {
        return false;
    };
    if cells.len() + 1 != 2 * k {
        return false;
    }
    let start = codes.len();
    codes.resize(start + k, 0);
    let out = &mut codes[start..];
    // Branch-free, four `d,` pairs a word at a time, so that the loop
    // stays short and straight.
    let mut bad = 0;
    let words = pairs.chunks_exact(8);
    let (quads, tail) = out[..k - 1].split_at_mut(4 * (pairs.len() / 8));
    let tail_pairs = words.remainder();
    for (quad, word) in quads.chunks_exact_mut(4).zip(words) {
        let (digits, word_bad) = four_digits(word);
        bad |= word_bad;
        quad.copy_from_slice(&digits);
    }
    for (code, pair) in tail.iter_mut().zip(tail_pairs.chunks_exact(2)) {
        let digit = pair[0].wrapping_sub(b'0');
        bad |= u64::from((digit > 9) | (pair[1] != b','));
        *code = digit;
    }
    let digit = last.wrapping_sub(b'0');
    bad |= u64::from(digit > 9);
    out[k - 1] = digit;
    if bad != 0 {
        codes.truncate(start);
    }
    bad == 0
}

/// The digit values of the four `d,` pairs of `word` (8 bytes), and a
/// nonzero flag unless every `d` is an ASCII digit and every second byte
/// a comma. The bytes are read as four little-endian 16-bit lanes, the
/// digit in each lane's low byte, the comma in its high byte.
fn four_digits(word: &[u8]) -> ([u8; 4], u64) {
    const LOW: u64 = 0x00ff_00ff_00ff_00ff;
    let mut bytes = [0; 8];
    bytes.copy_from_slice(word);
    let w = u64::from_le_bytes(bytes);
    let mut bad = (w & !LOW) ^ 0x2c00_2c00_2c00_2c00;
    // Each lane's digit less `0`; a byte below `0` borrows from its lane's
    // high byte (zero before), so the high byte is nonzero.
    let v = (w & LOW).wrapping_sub(0x0030_0030_0030_0030);
    bad |= v & !LOW;
    // Without a borrow a lane is at most 0xcf; adding 0x76 keeps it below
    // 0x80 exactly when it is at most 9.
    bad |= v.wrapping_add(0x0076_0076_0076_0076) & 0xff80_ff80_ff80_ff80;
    let d = v.to_le_bytes();
    ([d[0], d[2], d[4], d[6]], bad)
}

/// Appends the codes of `cells`, the item fields of a plain record at
/// `line` (one per item: its commas were counted).
fn push_cells(
    codes: &mut Vec<u8>,
    cells: &[u8],
    items: &[ItemId],
    source_name: &str,
    line: u64,
) -> Result<(), ResponsesError> {
    for (field, item) in cells.split(|&b| b == b',').zip(items) {
        codes.push(cell_code(field, source_name, line, item)?);
    }
    Ok(())
}

/// The person id in the first field of the record at `line`.
fn person_id(field: &[u8], source_name: &str, line: u64) -> Result<PersonId, ResponsesError> {
    let id = utf8_id(field, source_name, line, 1)?;
    if id.trim().is_empty() {
        return Err(ResponsesError::EmptyPersonId {
            source_name: source_name.to_owned(),
            line,
        });
    }
    Ok(PersonId::new(id))
}

/// The byte code of a cell of `item` at `line`, or the error naming it.
fn cell_code(
    field: &[u8],
    source_name: &str,
    line: u64,
    item: &ItemId,
) -> Result<u8, ResponsesError> {
    parse_cell(field).ok_or_else(|| ResponsesError::BadCell {
        source_name: source_name.to_owned(),
        line,
        item: item.clone(),
        value: String::from_utf8_lossy(field).into_owned(),
    })
}

fn parse_into(
    part: &mut Part,
    data: &[u8],
    first_line: u64,
    layout: &Layout<'_>,
) -> Result<(), ResponsesError> {
    let source_name = layout.source_name;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let skip = usize::from(layout.id_column);
    let mut lines = LineCounter {
        data,
        at: 0,
        line: first_line,
    };
    loop {
        let more = rdr.read_byte_record(&mut record).map_err(|e| {
            let message = match e.position() {
                Some(p) => format!("line {}: {e}", lines.line_at(p.byte() as usize)),
                None => e.to_string(),
            };
            ResponsesError::Csv {
                source_name: source_name.to_owned(),
                message,
            }
        })?;
        if !more {
            return Ok(());
        }
        let ordinal = part.records;
        part.records += 1;
        let line = record
            .position()
            .map_or(first_line, |p| lines.line_at(p.byte() as usize));
        if record.len() != layout.width {
            if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
                continue; // a blank line
            }
            return Err(ResponsesError::RowLength {
                source_name: source_name.to_owned(),
                line,
                expected: layout.width,
                found: record.len(),
            });
        }
        if layout.id_column {
            part.push_id(person_id(&record[0], source_name, line)?, &layout.hasher);
        }
        for (col, field) in record.iter().skip(skip).enumerate() {
            part.codes
                .push(cell_code(field, source_name, line, &layout.items[col])?);
        }
        part.lines.push(line);
        part.ordinals.push(ordinal);
    }
}

/// Physical line numbers of byte offsets into a part, counted forwards
/// (offsets must not decrease). The csv crate's own line count lags one
/// line behind after a CRLF terminator, whose `\n` it has not yet consumed
/// when the next record starts.
struct LineCounter<'a> {
    data: &'a [u8],
    /// Bytes counted so far.
    at: usize,
    /// The line of byte `at`.
    line: u64,
}

impl LineCounter<'_> {
    /// The line of the first byte at or after `byte` that is not a line
    /// terminator: where the record starting at `byte` begins.
    fn line_at(&mut self, byte: usize) -> u64 {
        let rest = self.data.get(byte..).unwrap_or_default();
        let start = byte
            + rest
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        let start = start.min(self.data.len()).max(self.at);
        self.line += memchr::memchr_iter(b'\n', &self.data[self.at..start]).count() as u64;
        self.at = start;
        self.line
    }
}

/// What has been pushed so far: the records (for row numbers without an
/// id column) and the line of each person (to name both lines of a
/// repeat).
#[derive(Default)]
struct Pushed {
    records: usize,
    lines: Vec<u64>,
}

impl Pushed {
    /// Pushes the parts in order; stops at the first error.
    fn push_all(
        &mut self,
        builder: &mut ResponseMatrixBuilder,
        parts: Vec<Part>,
        source_name: &str,
    ) -> Result<(), ResponsesError> {
        parts
            .into_iter()
            .try_for_each(|part| self.push(builder, part, source_name))
    }

    /// Pushes a part's rows in order, then returns its error, if any.
    fn push(
        &mut self,
        builder: &mut ResponseMatrixBuilder,
        part: Part,
        source_name: &str,
    ) -> Result<(), ResponsesError> {
        let k = builder.items.len();
        builder.reserve_persons(part.lines.len());
        let mut ids = part.ids.into_iter();
        for (row, (&line, &ordinal)) in part.lines.iter().zip(&part.ordinals).enumerate() {
            let person = match ids.next() {
                Some(id) => id,
                None => PersonId::new((self.records + ordinal + 1).to_string()),
            };
            let hash = match part.hashes.get(row) {
                Some(&hash) => hash,
                None => builder.hash_of(&person),
            };
            let admitted = builder.admit(person, hash).map_err(|e| match e {
                ResponsesError::RepeatedPerson { person, first, .. } => {
                    ResponsesError::DuplicatePerson {
                        source_name: source_name.to_owned(),
                        line,
                        first_line: self.lines[first - 1],
                        person,
                    }
                }
                other => other,
            })?;
            if !part.complete {
                builder.place_row(admitted, &part.codes[row * k..(row + 1) * k]);
            }
            self.lines.push(line);
        }
        if part.complete {
            builder.place_complete_rows(&part.codes[..part.lines.len() * k], &part.max);
        }
        self.records += part.records;
        part.error.map_or(Ok(()), Err)
    }
}

/// A CSV field at `line` and `column` as an id: valid UTF-8 or an error.
fn utf8_id<'a>(
    field: &'a [u8],
    source_name: &str,
    line: u64,
    column: usize,
) -> Result<&'a str, ResponsesError> {
    std::str::from_utf8(field).map_err(|_| ResponsesError::NotUtf8 {
        source_name: source_name.to_owned(),
        line,
        column,
    })
}

/// Parses one scored-CSV cell: an integer score, or empty / `NA` for not
/// presented. Surrounding spaces are ignored; `1.0` is read as 1.
fn parse_cell(field: &[u8]) -> Option<u8> {
    match field {
        [d @ b'0'..=b'9'] => return Some(d - b'0'),
        b"" => return Some(ABSENT_CODE),
        _ => {}
    }
    let field = field.trim_ascii();
    match field {
        b"" | b"NA" | b"na" | b"." => return Some(ABSENT_CODE),
        [d @ b'0'..=b'9'] => return Some(d - b'0'),
        _ => {}
    }
    let text = std::str::from_utf8(field).ok()?;
    let value: f64 = text.parse().ok()?;
    if value.fract() == 0.0 && (0.0..=f64::from(MAX_CELL_SCORE)).contains(&value) {
        Some(value as u8)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::responses::Cell;

    /// Rows of `n` persons over 5 items, ids quoted with commas, line
    /// breaks and doubled quotes in every seventh, some cells empty.
    fn text(n: usize) -> (String, Vec<(String, Vec<Cell>)>) {
        let mut text = String::from("id,A,B,C,D,E\n");
        let mut rows = Vec::new();
        for p in 0..n {
            let id = if p % 7 == 0 {
                format!("p{p}, \"x\"\nline")
            } else {
                format!("p{p}")
            };
            let cells: Vec<Cell> = (0..5)
                .map(|i| match (p * 3 + i * 5) % 11 {
                    0 => Cell::NotPresented,
                    v => Cell::Score(u8::from(v % 2 == 1)),
                })
                .collect();
            let quoted = format!("\"{}\"", id.replace('"', "\"\""));
            text.push_str(if p % 7 == 0 { &quoted } else { &id });
            write_cells(&mut text, &cells);
            text.push_str(if p % 5 == 0 { "\r\n" } else { "\n" });
            rows.push((id, cells));
        }
        (text, rows)
    }

    /// Appends `cells` as CSV fields: `,score`, or `,` when not presented.
    fn write_cells(text: &mut String, cells: &[Cell]) {
        for c in cells {
            text.push(',');
            if let Cell::Score(s) = c {
                text.push_str(&s.to_string());
            }
        }
    }

    /// The matrix of `rows` over items A to E, pushed one row at a time.
    fn pushed_one_by_one(rows: &[(String, Vec<Cell>)]) -> ResponseMatrix {
        let items: Vec<ItemId> = ["A", "B", "C", "D", "E"].map(ItemId::from).to_vec();
        let mut b = ResponseMatrixBuilder::new(items).unwrap();
        for (id, cells) in rows {
            b.push(PersonId::new(id.as_str()), cells).unwrap();
        }
        b.build()
    }

    /// `push_digits` against its definition, byte by byte, on rows of
    /// every length up to 13 items with bytes drawn near the digits and
    /// the comma, and beyond ASCII.
    #[test]
    fn digit_rows_are_read_as_defined() {
        use proptest::prelude::*;
        let byte = prop_oneof![
            8 => b'0'..=b'9',
            4 => Just(b','),
            1 => prop::sample::select(b"/:+-.\x20\x00\x7f\x80\xacx\xff\xcf\x89\x8a".to_vec()),
        ];
        let row =
            (1..14_usize).prop_flat_map(move |k| prop::collection::vec(byte.clone(), 2 * k - 1));
        proptest!(|(cells in row)| {
            let k = cells.len().div_ceil(2);
            let items: Vec<ItemId> = (0..k).map(|i| ItemId::new(format!("i{i}"))).collect();
            let usual = cells.iter().enumerate().all(|(i, &b)| {
                if i % 2 == 0 { b.is_ascii_digit() } else { b == b',' }
            });
            let mut codes = vec![7];
            let read = push_digits(&mut codes, &cells, &items);
            prop_assert_eq!(read, usual);
            let expected: Vec<u8> = if usual {
                std::iter::once(7).chain(cells.iter().step_by(2).map(|b| b - b'0')).collect()
            } else {
                vec![7]
            };
            prop_assert_eq!(codes, expected);
        });
    }

    #[test]
    fn parts_and_blocks_read_as_one_sequential_pass() {
        let (text, rows) = text(3000);
        assert!(text.len() > 10 * BLOCK_BYTES);
        let m = ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions::default()).unwrap();
        assert_eq!(m, pushed_one_by_one(&rows));
    }

    /// Plain rows (no quotes) across blocks: runs of parts where every
    /// cell is a score (filed a part at a time) between runs with empty
    /// cells, one-digit rows (read at once) among rows with a two-digit
    /// score.
    #[test]
    fn plain_complete_and_gapped_parts_read_as_one_sequential_pass() {
        let mut text = String::from("id,A,B,C,D,E\n");
        let mut rows = Vec::new();
        for p in 0..6000 {
            let gapped = (p / 900) % 3 == 1 && p % 2 == 0;
            let cells: Vec<Cell> = (0..5)
                .map(|i| match (p + i) % 97 {
                    0 => Cell::Score(12),
                    4 if gapped => Cell::NotPresented,
                    v => Cell::Score((v % 3) as u8),
                })
                .collect();
            text.push_str(&format!("p{p}"));
            write_cells(&mut text, &cells);
            text.push('\n');
            rows.push((format!("p{p}"), cells));
        }
        assert!(text.len() > 10 * BLOCK_BYTES);
        let m = ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions::default()).unwrap();
        let expected = pushed_one_by_one(&rows);
        assert!(expected.blocks().len() > 1);
        assert_eq!(m, expected);
    }

    #[test]
    fn errors_late_in_the_file_name_their_line() {
        let (mut text, _) = text(3000);
        // Line numbers count the line breaks inside quoted ids.
        let lines = text.matches('\n').count() as u64;
        text.push_str("last,1,0,x,1,1\n");
        let err =
            ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "t.csv, line {}, item `C`: `x` is not a score (an integer 0..=250, or empty for not presented)",
                lines + 1
            )
        );
    }

    /// What a part parsed into, comparable.
    fn outcome(part: &Part) -> (Vec<String>, Vec<u64>, Vec<usize>, Vec<u8>, usize, String) {
        (
            part.ids.iter().map(|p| p.as_str().to_owned()).collect(),
            part.lines.clone(),
            part.ordinals.clone(),
            part.codes.clone(),
            part.records,
            part.error
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    }

    #[test]
    fn plain_parts_split_at_commas_read_as_the_csv_crate_reads() {
        let items: Vec<ItemId> = ["A", "B", "C"].map(ItemId::from).to_vec();
        let texts: [&[u8]; 8] = [
            b"p1,1,0,1\np2,,1, 2 \r\n\np3,NA,0,1\n",
            b"p1,1,0,1\r\n\r\n\r\np2,1.0,0,3",
            b"p1,1,0\np2,1,0,1\n",
            b"p1,1,0,1,0\n",
            b"p1,1,x,1\n",
            b" ,1,0,1\n",
            b"p1,1,0,1\np2,1,0,300\n",
            b"p\xff,1,0,1\n",
        ];
        for bytes in texts {
            let text = String::from_utf8_lossy(bytes);
            assert!(is_plain(bytes), "{text:?}");
            for id_column in [true, false] {
                let layout = Layout {
                    source_name: "t.csv",
                    items: &items,
                    width: 3 + usize::from(id_column),
                    id_column,
                    hasher: DefaultHashBuilder::default(),
                };
                let (mut plain, mut general) = (Part::default(), Part::default());
                if let Err(e) = parse_plain(&mut plain, bytes, 7, &layout) {
                    plain.error = Some(e);
                }
                if let Err(e) = parse_into(&mut general, bytes, 7, &layout) {
                    general.error = Some(e);
                }
                assert_eq!(outcome(&plain), outcome(&general), "{text:?}");
            }
        }
        assert!(!is_plain(b"p1,1\rp2,0\n"));
        assert!(!is_plain(b"\"p1\",1\n"));
    }

    /// Lines counted by hand, for both readers (the csv crate's own record
    /// positions would put `p3` of the first case on line 8).
    #[test]
    fn parts_number_lines_across_crlf_and_blank_lines() {
        let items: Vec<ItemId> = ["A", "B", "C"].map(ItemId::from).to_vec();
        let cases: [(&[u8], &[u64]); 3] = [
            (b"p1,1,0,1\np2,,1, 2 \r\n\np3,NA,0,1\n", &[7, 8, 10]),
            (b"p1,1,0,1\r\n\r\n\r\np2,1.0,0,3", &[7, 10]),
            (b"\r\n\np1,1,0,1\r\n", &[9]),
        ];
        for (bytes, lines) in cases {
            let layout = Layout {
                source_name: "t.csv",
                items: &items,
                width: 4,
                id_column: true,
                hasher: DefaultHashBuilder::default(),
            };
            let (mut plain, mut general) = (Part::default(), Part::default());
            parse_plain(&mut plain, bytes, 7, &layout).unwrap();
            parse_into(&mut general, bytes, 7, &layout).unwrap();
            let text = String::from_utf8_lossy(bytes);
            assert_eq!(plain.lines, lines, "{text:?}");
            assert_eq!(general.lines, lines, "{text:?}");
        }
    }

    #[test]
    fn rows_are_numbered_across_parts_without_an_id_column() {
        let mut text = String::from("A,B\n");
        for p in 0..2000 {
            text.push_str(if p == 1500 { "\n" } else { "1,0\n" });
        }
        let m = ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions { id_column: false })
            .unwrap();
        assert_eq!(m.n_persons(), 1999);
        // The csv crate skips the blank line: numbering runs on.
        assert_eq!(m.persons()[1499].as_str(), "1500");
        assert_eq!(m.persons()[1500].as_str(), "1501");
    }
}
