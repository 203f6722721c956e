//! gzip for dataset files: `bars.csv.gz` and `series.csv.gz` are read by decompressing them in
//! memory (flate2) and then parsed exactly like the plain CSV; the generator writes them with
//! [`gzip_deterministic`], whose bytes depend only on the input.

use crate::error::DataError;
use std::io::Read;
use std::path::Path;

/// The two bytes every gzip member starts with.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// True when `bytes` start like a gzip file.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Decompress a whole gzip file (all members). `path` is used only in error messages.
pub fn gunzip(bytes: &[u8], path: &Path) -> Result<Vec<u8>, DataError> {
    if !is_gzip(bytes) {
        return Err(DataError::Format {
            path: path.to_path_buf(),
            message: "not a gzip file (it does not start with the gzip signature 1f 8b); \
                      expected the gzip-compressed CSV its `.gz` name promises"
                .into(),
        });
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| DataError::Format {
            path: path.to_path_buf(),
            message: format!("the gzip data is damaged ({e}); expected a complete gzip-compressed CSV"),
        })?;
    Ok(out)
}

/// gzip `data` reproducibly: deflate at level 9 (miniz_oxide, whatever flate2 backend the
/// build selects), modification time 0, no file name, OS byte 255 ("unknown"). The same input
/// gives the same bytes on every run and machine.
pub fn gzip_deterministic(data: &[u8]) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(data, 9);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    let mut out = Vec::with_capacity(deflated.len() + 18);
    // ID1 ID2, CM = deflate, FLG = 0, MTIME = 0, XFL = 2 (maximum compression), OS = 255.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the input length modulo 2^32 (RFC 1952).
    out.extend_from_slice(&((data.len() as u64 & 0xffff_ffff) as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_reproducible() {
        let text = b"date,symbol\n2024-01-02,600111.SH\n".repeat(100);
        let a = gzip_deterministic(&text);
        assert_eq!(a, gzip_deterministic(&text));
        assert!(a.len() < text.len() / 5, "compresses: {} of {}", a.len(), text.len());
        assert_eq!(gunzip(&a, Path::new("x.gz")).expect("valid"), text);
        // Two members concatenated read as one stream, as `cat a.gz b.gz` would.
        let mut two = a.clone();
        two.extend_from_slice(&gzip_deterministic(b"tail\n"));
        let mut want = text.clone();
        want.extend_from_slice(b"tail\n");
        assert_eq!(gunzip(&two, Path::new("x.gz")).expect("valid"), want);
    }

    #[test]
    fn damaged_or_plain_files_are_named() {
        let e = gunzip(b"date,symbol\n", Path::new("d/bars.csv.gz")).expect_err("plain");
        assert!(e.to_string().starts_with("d/bars.csv.gz: not a gzip file"), "{e}");
        let mut cut = gzip_deterministic(&b"0123456789".repeat(1000));
        cut.truncate(cut.len() / 2);
        let e = gunzip(&cut, Path::new("d/bars.csv.gz")).expect_err("truncated");
        assert!(
            e.to_string().starts_with("d/bars.csv.gz: the gzip data is damaged"),
            "{e}"
        );
        let mut bad_crc = gzip_deterministic(b"abc");
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 0xff;
        assert!(gunzip(&bad_crc, Path::new("x.gz")).is_err(), "a wrong CRC is an error");
    }
}
