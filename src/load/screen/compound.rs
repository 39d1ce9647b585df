//! The xls container (Microsoft's compound file), walked as calamine walks
//! it: its sector chains, directory and mini stream.

use std::borrow::Cow;
use std::cell::Cell;

use super::budget::grouped;

pub(super) const SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Sector numbers from here up are markers, not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Streams shorter than this live in the mini stream.
const MINI_STREAM_CUTOFF: u64 = 4096;
const MINI_SECTOR: usize = 64;

pub(super) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// An xls container (Microsoft's compound file) as calamine reads it
/// (`calamine::cfb`). calamine follows each sector chain it reads until
/// its end marker, or until it has the stream's declared length: a chain
/// that loops grows its buffer to that length, and the directory's has
/// none. The walk here is the same, and refuses a chain that comes back to
/// a sector it has passed. `None` wherever calamine fails on the file by
/// itself.
///
/// A general compound-file reader would check its own reading of the
/// container, not calamine's: the `cfb` crate opens a file whose mini
/// stream loops on itself (calamine reads that chain, cfb only when a
/// small stream needs it), and refuses files calamine reads well.
pub(super) struct Container<'a> {
    /// The sectors: the file after its header.
    sectors: &'a [u8],
    sector_len: usize,
    /// The highest sector number calamine reads.
    last: usize,
    /// How much of `sectors` calamine has read, zero-filled past their end.
    filled: Cell<usize>,
    fat: Vec<u32>,
    /// Directory entries: name, first sector, length.
    entries: Vec<(String, u32, u64)>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
}

impl<'a> Container<'a> {
    pub(super) fn open(bytes: &'a [u8]) -> Result<Option<Container<'a>>, String> {
        let header = |at| u32_at(bytes, at).unwrap_or(0);
        let sector_len = match u16_at(bytes, 30) {
            Some(0x0009) => 512,
            Some(0x000C) => 4096,
            _ => return Ok(None),
        };
        if bytes.len() < sector_len || u16_at(bytes, 32) != Some(6) {
            return Ok(None);
        }
        let mut c = Container {
            sectors: &bytes[sector_len..],
            sector_len,
            last: bytes.len() / sector_len,
            filled: Cell::new(0),
            fat: Vec::new(),
            entries: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
        };
        // The DIFAT: the header's 109 FAT sector numbers, then a chain of
        // sectors of more, which calamine follows for at most as many
        // sectors as the file has.
        let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
        let mut next = header(68);
        let mut seen = 0;
        while next < RESERVED {
            seen += 1;
            if seen > c.last + 1 {
                return Ok(None);
            }
            let Some(sector) = c.sector(next) else {
                return Ok(None);
            };
            difat.extend(u32s(&sector));
            next = difat.pop().unwrap_or(END_OF_CHAIN);
        }
        // calamine reads every sector the DIFAT lists into its FAT: a
        // DIFAT listing more than the file has would have it read the same
        // sectors over and over.
        let listed = difat.iter().filter(|&&id| id < DIFAT_SECTOR).count();
        if listed > c.last + 1 {
            return Err(format!(
                "its container's sector table claims {} sectors, but the file has only {}",
                grouped(listed as u64),
                grouped(c.last as u64 + 1)
            ));
        }
        let mut fat = Vec::new();
        for id in difat.into_iter().filter(|&id| id < DIFAT_SECTOR) {
            let Some(sector) = c.sector(id) else {
                return Ok(None);
            };
            fat.extend(u32s(&sector));
        }
        c.fat = fat;
        let Some(directory) = c.chain(header(48), u64::MAX, false)? else {
            return Ok(None);
        };
        let large = sector_len == 4096;
        c.entries = directory
            .chunks_exact(128)
            .map(|e| {
                let name = char::decode_utf16(
                    e[..64]
                        .chunks_exact(2)
                        .map(|u| u16::from_le_bytes([u[0], u[1]]))
                        .take_while(|&u| u != 0),
                )
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
                let len = if large {
                    u64::from_le_bytes(e[120..128].try_into().unwrap_or_default())
                } else {
                    u64::from(u32_at(e, 120).unwrap_or(0))
                };
                (name, u32_at(e, 116).unwrap_or(0), len)
            })
            .collect();
        let Some(&(_, root_start, root_len)) = c.entries.first() else {
            return Ok(None);
        };
        if u16_at(bytes, 26) != Some(3) && root_start == END_OF_CHAIN {
            return Ok(None);
        }
        let mini_fat_sectors = u64::from(header(64));
        if mini_fat_sectors > 0 {
            let Some(stream) = c.chain(root_start, root_len, false)? else {
                return Ok(None);
            };
            let mini_fat_len = mini_fat_sectors.saturating_mul(sector_len as u64);
            let Some(mini_fat) = c.chain(header(60), mini_fat_len, false)? else {
                return Ok(None);
            };
            c.mini_stream = stream;
            c.mini_fat = u32s(&mini_fat).collect();
        }
        Ok(Some(c))
    }

    /// Sector `id`, as calamine reads it, `None` where it fails. calamine
    /// reads the file's sectors in order into one buffer, zero-filled past
    /// the file's end: a sector the file holds only part of reads short
    /// the first time, and zero-filled after.
    fn sector(&self, id: u32) -> Option<Cow<'a, [u8]>> {
        let id = id as usize;
        if id > self.last {
            return None;
        }
        let start = id * self.sector_len;
        let end = start + self.sector_len;
        let held = self.sectors.len();
        let filled = self.filled.get();
        if end <= held {
            self.filled.set(filled.max(end));
            return Some(Cow::Borrowed(&self.sectors[start..end]));
        }
        let len = if end > filled {
            self.filled.set(end);
            filled.max(held)
        } else {
            end
        };
        let mut sector = self.sectors.get(start.min(held)..len.min(held))?.to_vec();
        sector.resize(len.checked_sub(start)?, 0);
        Some(Cow::Owned(sector))
    }

    /// The stream from sector `start` on, up to `len` bytes, following
    /// the FAT (or in the mini stream, the mini FAT).
    fn chain(&self, start: u32, len: u64, mini: bool) -> Result<Option<Vec<u8>>, String> {
        let (fat, sector_len, last) = if mini {
            (&self.mini_fat, MINI_SECTOR, self.last * 8)
        } else {
            (&self.fat, self.sector_len, self.last)
        };
        let mut out = Vec::new();
        let mut next = start;
        let mut steps = 0;
        while next != END_OF_CHAIN {
            steps += 1;
            if steps > last + 1 {
                return Err(
                    "a sector chain in its container loops back on itself, so would never end"
                        .into(),
                );
            }
            let sector = if mini {
                let id = next as usize;
                if id > last {
                    return Ok(None);
                }
                // Past the mini stream calamine reads whatever follows in
                // the file: no legitimate file asks it to.
                match self.mini_stream.get(id * sector_len..(id + 1) * sector_len) {
                    Some(sector) => Cow::Borrowed(sector),
                    None => {
                        return Err(
                            "a stream in its container runs past the mini stream that holds it"
                                .into(),
                        );
                    }
                }
            } else {
                match self.sector(next) {
                    Some(sector) => sector,
                    None => return Ok(None),
                }
            };
            let room = usize::try_from(len - out.len() as u64).unwrap_or(usize::MAX);
            out.extend_from_slice(&sector[..sector.len().min(room)]);
            if out.len() as u64 >= len {
                break;
            }
            match fat.get(next as usize) {
                Some(&id) => next = id,
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// The workbook stream calamine reads: the first directory entry named
    /// `Workbook`, in any case, else `Book`.
    pub(super) fn workbook(&self) -> Result<Option<Vec<u8>>, String> {
        for name in ["Workbook", "Book"] {
            let Some(&(_, start, len)) = self
                .entries
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if let Some(stream) = self.chain(start, len, len < MINI_STREAM_CUTOFF)? {
                return Ok(Some(stream));
            }
        }
        Ok(None)
    }
}
