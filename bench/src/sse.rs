//! The phones' live streams: a lean SSE reader on a plain TCP socket.
//!
//! At 10,000 phones the generator receives 10,000 chunks per frame, and
//! through reqwest each one crossed hyper's connection task, a channel,
//! a timeout and a lossy UTF-8 copy before its `id:` was found: the
//! generator's core ran at 100 % while the server's did, so the latency
//! it measured included its own queue. This reader does one `read` per
//! wake-up, decodes HTTP/1.1 chunked framing in place and looks only for
//! `id:` lines. The floor's streams are read the same way, so the ratios
//! compare like with like.

use std::io;

use reqwest::Url;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Largest response head the reader accepts.
const MAX_HEAD: usize = 16 * 1024;
/// Longest SSE line it keeps (an `id:` line is short; longer lines are
/// data, skipped).
const MAX_LINE: usize = 64;

/// An open event stream whose response head said 200.
pub(crate) struct SseStream {
    socket: TcpStream,
    body: Body,
    read_buf: Vec<u8>,
    /// Ids that arrived in the same read as the response head, handed
    /// out by the first [`SseStream::next_ids`].
    early: Vec<u64>,
}

impl SseStream {
    /// Opens `url` with GET, as `bearer` when given. Fails unless the
    /// server answers 200.
    pub(crate) async fn open(url: &str, bearer: Option<&str>) -> io::Result<SseStream> {
        let url = Url::parse(url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let host = url.host_str().unwrap_or("127.0.0.1");
        let port = url.port_or_known_default().unwrap_or(80);
        let mut socket = TcpStream::connect((host, port)).await?;
        socket.set_nodelay(true)?;
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let auth = bearer.map_or_else(String::new, |t| format!("authorization: Bearer {t}\r\n"));
        let request = format!(
            "GET {path} HTTP/1.1\r\nhost: {host}:{port}\r\naccept: text/event-stream\r\n{auth}\r\n"
        );
        socket.write_all(request.as_bytes()).await?;

        let mut head = Vec::with_capacity(1024);
        let mut read_buf = vec![0; 4096];
        let (len, status, chunked) = loop {
            let n = socket.read(&mut read_buf).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            head.extend_from_slice(&read_buf[..n]);
            if let Some(parsed) = parse_head(&head)? {
                break parsed;
            }
            if head.len() > MAX_HEAD {
                return Err(io::Error::other("response head too long"));
            }
        };
        if status != 200 {
            return Err(io::Error::other(format!("HTTP {status}")));
        }
        let mut body = Body::new(chunked);
        let mut early = Vec::new();
        body.feed(&head[len..], &mut early);
        Ok(SseStream {
            socket,
            body,
            read_buf,
            early,
        })
    }

    /// Waits for the next bytes and appends the ids of the events they
    /// complete to `ids`. False when the stream ended.
    pub(crate) async fn next_ids(&mut self, ids: &mut Vec<u64>) -> io::Result<bool> {
        if !self.early.is_empty() {
            ids.append(&mut self.early);
            return Ok(true);
        }
        let n = self.socket.read(&mut self.read_buf).await?;
        if n == 0 {
            return Ok(false);
        }
        Ok(self.body.feed(&self.read_buf[..n], ids))
    }
}

/// The head's length, status code and whether the body is chunked, once
/// `bytes` hold the whole head (httparse, as the server's short path).
fn parse_head(bytes: &[u8]) -> io::Result<Option<(usize, u16, bool)>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(len) = response.parse(bytes).map_err(io::Error::other)? else {
        return Ok(None);
    };
    let chunked = response.headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("transfer-encoding")
            && h.value.to_ascii_lowercase().ends_with(b"chunked")
    });
    Ok(Some((len, response.code.unwrap_or(0), chunked)))
}

/// Where the chunked decoder stands.
#[derive(Debug, PartialEq)]
enum Framing {
    /// Not chunked: every byte is the body's.
    Identity,
    /// Reading a chunk's size line; the digits so far.
    Size(usize),
    /// Skipping the rest of a size line (extensions) to its `\n`.
    SizeRest(usize),
    /// Inside a chunk, this many bytes to go.
    Data(usize),
    /// After a chunk's data, skipping its `\r\n`.
    DataEnd,
    /// The last chunk was read.
    Done,
}

/// The body's decoder: chunked framing, then SSE lines.
struct Body {
    framing: Framing,
    /// The current SSE line, while it is short enough to be an `id:`.
    line: Vec<u8>,
    /// True while the current line has grown past [`MAX_LINE`].
    long_line: bool,
}

impl Body {
    fn new(chunked: bool) -> Body {
        Body {
            framing: if chunked {
                Framing::Size(0)
            } else {
                Framing::Identity
            },
            line: Vec::with_capacity(MAX_LINE),
            long_line: false,
        }
    }

    /// Decodes `bytes`, appending completed events' ids to `ids`. False
    /// once the last chunk has been read.
    fn feed(&mut self, mut bytes: &[u8], ids: &mut Vec<u64>) -> bool {
        while !bytes.is_empty() {
            match self.framing {
                Framing::Identity => {
                    self.lines(bytes, ids);
                    return true;
                }
                Framing::Size(acc) => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    self.framing = match (b as char).to_digit(16) {
                        Some(d) => Framing::Size(acc * 16 + d as usize),
                        None if b == b'\n' => Self::after_size(acc),
                        None => Framing::SizeRest(acc),
                    };
                }
                Framing::SizeRest(acc) => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    if b == b'\n' {
                        self.framing = Self::after_size(acc);
                    }
                }
                Framing::Data(left) => {
                    let take = left.min(bytes.len());
                    self.lines(&bytes[..take], ids);
                    bytes = &bytes[take..];
                    self.framing = if take == left {
                        Framing::DataEnd
                    } else {
                        Framing::Data(left - take)
                    };
                }
                Framing::DataEnd => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    if b == b'\n' {
                        self.framing = Framing::Size(0);
                    }
                }
                Framing::Done => return false,
            }
        }
        self.framing != Framing::Done
    }

    fn after_size(size: usize) -> Framing {
        if size == 0 {
            Framing::Done
        } else {
            Framing::Data(size)
        }
    }

    /// SSE lines: an `id: N` line's N goes to `ids`.
    fn lines(&mut self, mut bytes: &[u8], ids: &mut Vec<u64>) {
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            self.push(&bytes[..nl]);
            if !self.long_line
                && let Some(id) = self.line.strip_prefix(b"id:")
                && let Some(id) = std::str::from_utf8(id)
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
            {
                ids.push(id);
            }
            self.line.clear();
            self.long_line = false;
            bytes = &bytes[nl + 1..];
        }
        self.push(bytes);
    }

    fn push(&mut self, part: &[u8]) {
        if self.long_line || self.line.len() + part.len() > MAX_LINE {
            self.long_line = true;
        } else {
            self.line.extend_from_slice(part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunked: bool, pieces: &[&[u8]]) -> (Vec<u64>, bool) {
        let mut body = Body::new(chunked);
        let mut ids = vec![];
        let mut open = true;
        for p in pieces {
            open = body.feed(p, &mut ids);
        }
        (ids, open)
    }

    /// `events` as a chunked body, one chunk each, then the last chunk.
    fn chunked(events: &[&str]) -> Vec<u8> {
        let mut out = vec![];
        for e in events {
            out.extend_from_slice(format!("{:x}\r\n{e}\r\n", e.len()).as_bytes());
        }
        out.extend_from_slice(b"0\r\n\r\n");
        out
    }

    #[test]
    fn ids_come_out_of_chunks_however_the_reads_split_them() {
        let stream = chunked(&[
            "retry: 2000\n\n",
            "id: 7\nevent: ready\ndata: {}\n\n",
            "id: 8\ndata: {\"a\":1}\n\nid: 9\ndata: 2\n\n",
        ]);
        let (whole, open) = decode(true, &[&stream]);
        assert_eq!(whole, vec![7, 8, 9]);
        assert!(!open, "the last chunk ends the stream");
        for size in 1..stream.len() {
            let pieces: Vec<&[u8]> = stream.chunks(size).collect();
            assert_eq!(
                decode(true, &pieces).0,
                vec![7, 8, 9],
                "split every {size} bytes"
            );
        }
    }

    #[test]
    fn an_identity_body_is_read_as_it_comes_and_long_data_lines_are_skipped() {
        let long = format!("data: {}\n\n", "x".repeat(500));
        let (ids, open) = decode(
            false,
            &[b"id: 1\ndata: {}\n\n", long.as_bytes(), b"id", b": 12\n\n"],
        );
        assert_eq!(ids, vec![1, 12]);
        assert!(open);
    }

    #[test]
    fn chunk_extensions_are_skipped() {
        let (ids, _) = decode(true, &[b"6;x=y\r\nid: 3\n\r\n"]);
        assert_eq!(ids, vec![3]);
    }

    #[test]
    fn the_head_gives_status_and_framing() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n";
        assert_eq!(parse_head(head).unwrap(), Some((head.len() - 3, 200, true)));
        let refused = b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 5\r\n\r\n";
        assert_eq!(
            parse_head(refused).unwrap(),
            Some((refused.len(), 401, false))
        );
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-").unwrap(),
            None,
            "not whole yet"
        );
        assert!(parse_head(b"garbage\r\n\r\n").is_err());
    }
}
