//! The live streams, served without hyper.
//!
//! A phone holds its live stream open for the whole workshop. Served by
//! hyper, each of those connections keeps an 8 KiB read buffer, an 8 KiB
//! buffer for response heads and hyper's dispatcher for hours, though after
//! the request's head nothing more is read and nothing but the stream's
//! events is written. At 10,000 phones that was most of the server's memory
//! per connection (`docs/benchmarks.md`).
//!
//! So the accept loop looks at a new connection's first bytes without
//! taking them ([`peek`]). When they are exactly one whole, plain `GET` of
//! a live stream, this module takes the head, runs the request through the
//! same router as any other (every layer: the client's address, the
//! language, the origin check, the security headers, the trace), and writes
//! the response itself ([`serve`]): the head, then each event as an
//! HTTP/1.1 chunk as it comes; the connection closes when the stream ends
//! or the phone goes. Everything else goes to hyper as before, including a
//! stream request whose head arrived in parts, a head with a body or more
//! bytes after it, or anything this module would have to guess about: the
//! short path only takes what it can answer exactly as hyper would.
//!
//! Only a connection's first request is looked at. A browser that sends
//! its stream request on a connection kept alive from loading the page is
//! served by hyper, buffers and all (Chromium does this). A stream on a
//! connection of its own takes the short path: one reopened once the
//! page's connections are gone, or from a client that opens one
//! connection per stream, as the bench does.

use std::{io, net::SocketAddr, time::SystemTime};

use axum::{
    Router,
    body::{Body, HttpBody},
    extract::ConnectInfo,
    http::{
        HeaderName, HeaderValue, Method, Request, Uri, Version,
        header::{CONNECTION, CONTENT_LENGTH, DATE, EXPECT, TRANSFER_ENCODING, UPGRADE},
        response::Parts,
    },
};
use bytes::Buf;
use futures::StreamExt;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use tower::ServiceExt;

use crate::compress::is_live_stream;

/// How much of a connection's first bytes [`peek`] looks at. A stream's
/// request is a few hundred bytes; a longer head goes to hyper.
const PEEK: usize = 4096;
/// The most header lines a stream's request may have here.
const MAX_HEADERS: usize = 48;
/// The longest answer that is not a stream (an error's JSON) sent here.
const MAX_ANSWER: usize = 64 * 1024;

/// A live stream's request, as its connection's first bytes spell it.
#[derive(Debug)]
pub struct Head {
    request: Request<Body>,
    /// The head's length in bytes, still in the socket.
    len: usize,
}

/// Waits for a connection's first bytes and looks at them without taking
/// them: `Some` when they are exactly one whole live stream request that
/// [`serve`] answers, `None` for hyper.
pub async fn peek(tcp: &TcpStream) -> io::Result<Option<Head>> {
    // A connection opened ahead of need (browsers do) may send nothing for
    // a while: it holds no buffer until it does.
    tcp.readable().await?;
    let mut first = vec![0; PEEK];
    let seen = tcp.peek(&mut first).await?;
    Ok(parse(&first[..seen]))
}

/// See [`peek`].
fn parse(bytes: &[u8]) -> Option<Head> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(len) = parsed.parse(bytes).ok()? else {
        return None;
    };
    // Bytes after the head are a body or a second request: hyper's.
    if len != bytes.len() || parsed.method != Some("GET") {
        return None;
    }
    let target = parsed.path?;
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    if !is_live_stream(path) {
        return None;
    }
    let version = match parsed.version? {
        0 => Version::HTTP_10,
        1 => Version::HTTP_11,
        _ => return None,
    };
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(Uri::try_from(target).ok()?)
        .version(version);
    for header in parsed.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes()).ok()?;
        // A body, or a request for more than one plain response.
        if [CONTENT_LENGTH, TRANSFER_ENCODING, EXPECT, UPGRADE].contains(&name) {
            return None;
        }
        request = request.header(name, HeaderValue::from_bytes(header.value).ok()?);
    }
    let request = request.body(Body::empty()).ok()?;
    Some(Head { request, len })
}

/// Answers the stream request that [`peek`] found on `tcp`, through
/// `router`, then closes the connection.
pub async fn serve(
    mut tcp: TcpStream,
    head: Head,
    router: Router,
    peer: SocketAddr,
) -> io::Result<()> {
    // Take the head `peek` left in the socket; it is all there already.
    tcp.read_exact(&mut vec![0; head.len]).await?;
    let mut request = head.request;
    let version = request.version();
    request.extensions_mut().insert(ConnectInfo(peer));
    // Boxed: the router's future is large, and only needed until the
    // response's head; the connection's task then holds the stream alone.
    let answer = Box::pin(router.oneshot(request));
    let (parts, body) = match answer.await {
        Ok(response) => response.into_parts(),
        Err(never) => match never {},
    };
    if let Some(len) = body.size_hint().exact() {
        let bytes = axum::body::to_bytes(body, MAX_ANSWER)
            .await
            .map_err(io::Error::other)?;
        let mut whole = response_head(&parts, version, Framing::Length(len));
        whole.extend_from_slice(&bytes);
        tcp.write_all(&whole).await?;
    } else {
        let framing = if version == Version::HTTP_10 {
            Framing::Close
        } else {
            Framing::Chunked
        };
        tcp.write_all(&response_head(&parts, version, framing))
            .await?;
        stream(&mut tcp, body, framing).await?;
    }
    tcp.shutdown().await
}

/// Writes each of `body`'s pieces as it comes, until the body ends or the
/// client goes.
async fn stream(tcp: &mut TcpStream, body: Body, framing: Framing) -> io::Result<()> {
    enum Next {
        Piece(Option<Result<bytes::Bytes, axum::Error>>),
        Gone,
    }
    let mut pieces = body.into_data_stream();
    loop {
        let next = tokio::select! {
            piece = pieces.next() => Next::Piece(piece),
            () = gone(tcp) => Next::Gone,
        };
        match next {
            Next::Piece(Some(Ok(piece))) if piece.is_empty() => {}
            Next::Piece(Some(Ok(piece))) => {
                // One vectored write: the piece, shared by every phone's
                // stream, is not copied into a chunk of its own.
                let mut line = [0; CHUNK_LINE_MAX];
                let (head, tail) = framing.around(piece.len(), &mut line);
                tcp.write_all_buf(&mut Buf::chain(head, piece).chain(tail))
                    .await?
            }
            // Without the last chunk, so the client sees the stream broke off.
            Next::Piece(Some(Err(e))) => return Err(io::Error::other(e)),
            Next::Piece(None) => {
                if framing == Framing::Chunked {
                    tcp.write_all(b"0\r\n\r\n").await?;
                }
                return Ok(());
            }
            Next::Gone => return Ok(()),
        }
    }
}

/// Completes when the client closes its side or the connection fails. A
/// stream's client sends nothing after its request, so anything it does
/// send ends the stream too, rather than sit unread.
async fn gone(tcp: &TcpStream) {
    let _ = tcp.peek(&mut [0; 1]).await;
}

/// How the response's body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// `content-length`: an answer known whole.
    Length(u64),
    /// HTTP/1.1 chunks: a stream.
    Chunked,
    /// Until the connection closes: a stream to an HTTP/1.0 client.
    Close,
}

/// The longest chunk-size line: 16 hex digits, then CR LF.
const CHUNK_LINE_MAX: usize = 18;

impl Framing {
    /// What goes before and after a piece of `len` bytes of a stream's
    /// body: for a chunk, its size in hex on a line of its own (written in
    /// `line`), and the CR LF that ends it; otherwise nothing.
    fn around(self, len: usize, line: &mut [u8; CHUNK_LINE_MAX]) -> (&[u8], &'static [u8]) {
        if self != Framing::Chunked {
            return (&[], &[]);
        }
        let digits = (usize::BITS - len.leading_zeros()).div_ceil(4).max(1) as usize;
        for (i, digit) in line[..digits].iter_mut().enumerate() {
            let nibble = (len >> (4 * (digits - 1 - i))) & 0xf;
            *digit = b"0123456789abcdef"[nibble];
        }
        line[digits..digits + 2].copy_from_slice(b"\r\n");
        (&line[..digits + 2], b"\r\n")
    }
}

/// The status line and headers of the response `parts`, delimited by
/// `framing`, on a connection that closes after it.
fn response_head(parts: &Parts, version: Version, framing: Framing) -> Vec<u8> {
    let mut head = Vec::with_capacity(512);
    let line = format!(
        "{} {} {}\r\n",
        if version == Version::HTTP_10 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        },
        parts.status.as_str(),
        parts.status.canonical_reason().unwrap_or_default(),
    );
    head.extend_from_slice(line.as_bytes());
    let mut header = |name: &[u8], value: &[u8]| {
        head.extend_from_slice(name);
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    };
    for (name, value) in &parts.headers {
        // The framing and the connection are this module's to say.
        if ![CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING].contains(name) {
            header(name.as_str().as_bytes(), value.as_bytes());
        }
    }
    if !parts.headers.contains_key(DATE) {
        header(
            b"date",
            httpdate::fmt_http_date(SystemTime::now()).as_bytes(),
        );
    }
    match framing {
        Framing::Length(len) => header(b"content-length", len.to_string().as_bytes()),
        Framing::Chunked => header(b"transfer-encoding", b"chunked"),
        Framing::Close => {}
    }
    header(b"connection", b"close");
    head.extend_from_slice(b"\r\n");
    head
}

#[cfg(test)]
mod tests {
    use axum::http::{Response, StatusCode};

    use super::*;

    const STREAM: &str = "/api/v1/sessions/0190b5c4-7d2e-7000-8000-000000000001/events";

    fn get(target: &str, headers: &str) -> Vec<u8> {
        format!("GET {target} HTTP/1.1\r\nhost: rembuk.test\r\n{headers}\r\n").into_bytes()
    }

    #[test]
    fn a_whole_plain_get_of_a_live_stream_is_taken() {
        let bytes = get(
            &format!("{STREAM}?after=12"),
            "cookie: rembuk_p=abc\r\nlast-event-id: 7\r\n",
        );
        let head = parse(&bytes).expect("a stream request");
        assert_eq!(head.len, bytes.len());
        assert_eq!(head.request.uri().query(), Some("after=12"));
        assert_eq!(head.request.version(), Version::HTTP_11);
        assert_eq!(head.request.headers()["cookie"], "rembuk_p=abc");
        assert_eq!(head.request.headers()["last-event-id"], "7");

        let old = format!("GET {STREAM} HTTP/1.0\r\n\r\n");
        let head = parse(old.as_bytes()).expect("an HTTP/1.0 stream request");
        assert_eq!(head.request.version(), Version::HTTP_10);
    }

    #[test]
    fn anything_else_is_left_to_hyper() {
        let whole = get(STREAM, "");
        let mut more = whole.clone();
        more.extend_from_slice(b"GET / HTTP/1.1\r\n\r\n");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("another path", get("/api/v1/sessions/x/snapshot", "")),
            ("a page", get("/s/482913", "")),
            ("a head not yet whole", whole[..whole.len() - 2].to_vec()),
            ("bytes after the head", more),
            (
                "another method",
                format!("POST {STREAM} HTTP/1.1\r\n\r\n").into_bytes(),
            ),
            ("a body", get(STREAM, "content-length: 0\r\n")),
            (
                "a chunked body",
                get(STREAM, "transfer-encoding: chunked\r\n"),
            ),
            ("an expectation", get(STREAM, "expect: 100-continue\r\n")),
            ("an upgrade", get(STREAM, "upgrade: websocket\r\n")),
            ("a bad header value", get(STREAM, "x-a: b\x01c\r\n")),
            (
                "not HTTP",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
            ),
            ("nothing", Vec::new()),
        ];
        for (case, bytes) in cases {
            assert!(parse(&bytes).is_none(), "{case}");
        }
        let crowded: String = (0..MAX_HEADERS).map(|i| format!("x-{i}: y\r\n")).collect();
        assert!(parse(&get(STREAM, &crowded)).is_none(), "too many headers");
    }

    #[test]
    fn the_head_says_the_framing_and_that_the_connection_closes() {
        let response = Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header("content-type", "application/json")
            .header("content-length", "999")
            .header("connection", "keep-alive")
            .body(())
            .unwrap();
        let (parts, ()) = response.into_parts();
        let head = response_head(&parts, Version::HTTP_11, Framing::Length(12));
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{head}");
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains("\r\ncontent-length: 12\r\n"));
        assert!(!head.contains("999") && !head.contains("keep-alive"));
        assert!(head.contains("\r\ndate: "));
        assert!(head.ends_with("\r\nconnection: close\r\n\r\n"));

        let head = response_head(&parts, Version::HTTP_10, Framing::Close);
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("HTTP/1.0 403 Forbidden\r\n"));
        assert!(!head.contains("content-length") && !head.contains("chunked"));
    }

    #[test]
    fn a_chunk_is_its_size_in_hex_then_the_piece() {
        let framed = |framing: Framing, piece: &[u8]| {
            let mut line = [0; CHUNK_LINE_MAX];
            let (head, tail) = framing.around(piece.len(), &mut line);
            [head, piece, tail].concat()
        };
        assert_eq!(
            framed(Framing::Chunked, &[b'x'; 26]),
            [&b"1a\r\n"[..], &[b'x'; 26], b"\r\n"].concat()
        );
        assert_eq!(framed(Framing::Chunked, b"x"), b"1\r\nx\r\n");
        let big = vec![b'y'; 0x1000];
        assert_eq!(framed(Framing::Chunked, &big)[..6], *b"1000\r\n");
        assert_eq!(framed(Framing::Chunked, b""), b"0\r\n\r\n");
        assert_eq!(framed(Framing::Close, b"data: {}\n\n"), b"data: {}\n\n");
        let mut line = [0; CHUNK_LINE_MAX];
        let (head, _) = Framing::Chunked.around(usize::MAX, &mut line);
        assert_eq!(head, b"ffffffffffffffff\r\n");
    }

    /// The real accept loop, over a router with one live stream whose
    /// events the test sends.
    mod served {
        use std::{
            net::SocketAddr,
            sync::{
                Arc,
                atomic::{AtomicUsize, Ordering},
            },
            time::Duration,
        };

        use axum::{
            Json, Router,
            body::Body,
            extract::{ConnectInfo, Path},
            http::StatusCode,
            response::{IntoResponse, Response},
            routing::get,
        };
        use futures::StreamExt;
        use tokio::{
            io::{AsyncReadExt, AsyncWriteExt},
            net::{TcpListener, TcpStream},
            sync::{broadcast, oneshot},
            time::timeout,
        };
        use tokio_stream::wrappers::BroadcastStream;

        const PATH: &str = "/api/v1/sessions/s1/events";

        struct Server {
            addr: SocketAddr,
            events: broadcast::Sender<&'static str>,
            /// How many streams have been dropped.
            dropped: Arc<AtomicUsize>,
            stop: oneshot::Sender<()>,
            served: tokio::task::JoinHandle<()>,
        }

        /// Counts a stream as dropped when it is.
        struct Counted(Arc<AtomicUsize>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }

        async fn start() -> Server {
            let (events, _) = broadcast::channel(16);
            let dropped = Arc::new(AtomicUsize::new(0));
            let router = Router::new().route(
                "/api/v1/sessions/{id}/events",
                get({
                    let (events, dropped) = (events.clone(), dropped.clone());
                    move |Path(id): Path<String>, ConnectInfo(peer): ConnectInfo<SocketAddr>| {
                        let (events, dropped) = (events.clone(), dropped.clone());
                        async move {
                            if id == "forbidden" {
                                let body = serde_json::json!({ "error": "forbidden" });
                                return (StatusCode::FORBIDDEN, Json(body)).into_response();
                            }
                            let guard = Counted(dropped);
                            let events = BroadcastStream::new(events.subscribe())
                                .map(|event| event.unwrap())
                                .take_while(|event| std::future::ready(*event != "end"))
                                .map(move |event| {
                                    let _counted = &guard;
                                    Ok::<_, std::convert::Infallible>(format!("data: {event}\n\n"))
                                });
                            let mut response = Response::new(Body::from_stream(events));
                            response
                                .headers_mut()
                                .insert("x-peer", peer.ip().to_string().parse().unwrap());
                            response
                        }
                    }
                }),
            );
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = oneshot::channel::<()>();
            let served = tokio::spawn(crate::listen::serve(listener, router, async {
                let _ = stopped.await;
            }));
            Server {
                addr,
                events,
                dropped,
                stop,
                served,
            }
        }

        impl Server {
            async fn send(&self, n: usize, event: &'static str) {
                send(&self.events, n, event).await;
            }

            /// Sends `request` in one write and reads the response's head.
            async fn open(&self, request: &str) -> (TcpStream, String) {
                let mut tcp = TcpStream::connect(self.addr).await.unwrap();
                tcp.write_all(request.as_bytes()).await.unwrap();
                let head = read_until(&mut tcp, "\r\n\r\n").await;
                (tcp, head)
            }
        }

        /// Sends an event once `n` streams listen.
        async fn send(events: &broadcast::Sender<&'static str>, n: usize, event: &'static str) {
            timeout(Duration::from_secs(5), async {
                while events.receiver_count() < n {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .await
            .expect("the streams subscribe");
            events.send(event).unwrap();
        }

        /// Reads until `end` has arrived, and returns everything read.
        async fn read_until(tcp: &mut TcpStream, end: &str) -> String {
            let mut read = Vec::new();
            timeout(Duration::from_secs(5), async {
                while !String::from_utf8_lossy(&read).contains(end) {
                    let mut buf = [0; 1024];
                    let n = tcp.read(&mut buf).await.unwrap();
                    assert!(
                        n > 0,
                        "closed before {end:?}: {:?}",
                        String::from_utf8_lossy(&read)
                    );
                    read.extend_from_slice(&buf[..n]);
                }
            })
            .await
            .unwrap_or_else(|_| panic!("{end:?} within 5 s: {:?}", String::from_utf8_lossy(&read)));
            String::from_utf8(read).unwrap()
        }

        async fn read_to_close(tcp: &mut TcpStream) -> String {
            let mut rest = Vec::new();
            timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest))
                .await
                .expect("the server closes")
                .unwrap();
            String::from_utf8(rest).unwrap()
        }

        #[tokio::test]
        async fn a_live_stream_is_served_in_chunks_and_closed_after() {
            let server = start().await;
            let (mut tcp, head) = server
                .open(&format!("GET {PATH} HTTP/1.1\r\nhost: x\r\n\r\n"))
                .await;
            assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
            assert!(
                head.contains("\r\ntransfer-encoding: chunked\r\n"),
                "{head}"
            );
            // hyper would keep the connection: this says the short path took it.
            assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
            assert!(head.contains("\r\nx-peer: 127.0.0.1\r\n"), "{head}");

            server.send(1, "one").await;
            let chunk = read_until(&mut tcp, "one\n\n\r\n").await;
            assert_eq!(chunk, "b\r\ndata: one\n\n\r\n");
            server.send(1, "end").await;
            let rest = read_to_close(&mut tcp).await;
            assert_eq!(rest, "0\r\n\r\n", "the last chunk, then the close");
        }

        #[tokio::test]
        async fn a_head_that_comes_in_parts_is_served_by_hyper() {
            let server = start().await;
            let mut tcp = TcpStream::connect(server.addr).await.unwrap();
            let request = format!("GET {PATH} HTTP/1.1\r\nhost: x\r\n\r\n");
            let (first, second) = request.split_at(20);
            tcp.write_all(first.as_bytes()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            tcp.write_all(second.as_bytes()).await.unwrap();
            let head = read_until(&mut tcp, "\r\n\r\n").await;
            assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
            assert!(!head.contains("connection: close"), "{head}");
            server.send(1, "two").await;
            read_until(&mut tcp, "data: two").await;
        }

        #[tokio::test]
        async fn an_http_client_reads_the_stream_and_an_error() {
            let server = start().await;
            let base = format!("http://{}", server.addr);
            let response = reqwest::get(format!("{base}{PATH}")).await.unwrap();
            assert_eq!(response.status(), 200);
            let mut body = response.bytes_stream();
            server.send(1, "three").await;
            let piece = timeout(Duration::from_secs(5), body.next()).await.unwrap();
            assert_eq!(piece.unwrap().unwrap(), "data: three\n\n");
            server.send(1, "end").await;
            let ended = timeout(Duration::from_secs(5), body.next()).await.unwrap();
            assert!(ended.is_none(), "the stream ends cleanly: {ended:?}");

            let refused = reqwest::get(format!("{base}/api/v1/sessions/forbidden/events"))
                .await
                .unwrap();
            assert_eq!(refused.status(), 403);
            assert_eq!(refused.headers()["connection"], "close");
            let body: serde_json::Value = refused.json().await.unwrap();
            assert_eq!(body["error"], "forbidden");
        }

        #[tokio::test]
        async fn an_http_1_0_client_reads_until_the_close() {
            let server = start().await;
            let (mut tcp, head) = server.open(&format!("GET {PATH} HTTP/1.0\r\n\r\n")).await;
            assert!(head.starts_with("HTTP/1.0 200 OK\r\n"), "{head}");
            assert!(!head.contains("chunked"), "{head}");
            server.send(1, "four").await;
            server.send(1, "end").await;
            let rest = read_to_close(&mut tcp).await;
            assert!(
                format!("{head}{rest}").ends_with("\r\n\r\ndata: four\n\n"),
                "{rest:?}"
            );
        }

        #[tokio::test]
        async fn the_stream_is_dropped_when_the_phone_goes() {
            let server = start().await;
            let (tcp, _) = server.open(&format!("GET {PATH} HTTP/1.1\r\n\r\n")).await;
            assert_eq!(server.dropped.load(Ordering::SeqCst), 0);
            drop(tcp);
            timeout(Duration::from_secs(5), async {
                while server.dropped.load(Ordering::SeqCst) == 0 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .await
            .expect("the server lets go of the stream");
        }

        #[tokio::test]
        async fn the_shutdown_waits_for_an_open_stream_to_end() {
            let server = start().await;
            let (mut tcp, _) = server.open(&format!("GET {PATH} HTTP/1.1\r\n\r\n")).await;
            let Server {
                events,
                stop,
                mut served,
                ..
            } = server;
            stop.send(()).unwrap();
            assert!(
                timeout(Duration::from_millis(200), &mut served)
                    .await
                    .is_err(),
                "the server waits for the open stream"
            );
            send(&events, 1, "five").await;
            send(&events, 1, "end").await;
            let rest = read_to_close(&mut tcp).await;
            assert!(
                rest.contains("data: five") && rest.ends_with("0\r\n\r\n"),
                "{rest:?}"
            );
            timeout(Duration::from_secs(5), served)
                .await
                .expect("the server returns once the stream ended")
                .unwrap();
        }
    }
}
