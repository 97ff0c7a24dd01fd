//! The built site (WASM, JS, CSS, icons) served from inside the binary.
//!
//! With the `embed` feature (the single-file builds of `scripts/dist`) the
//! files of `target/site` are compiled in, so one copied file serves the
//! whole app. Without it the router serves them from `--site-root` on disk.

use std::borrow::Cow;

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, Method, StatusCode, header},
    response::Response,
};

#[cfg(feature = "embed")]
#[derive(rust_embed::RustEmbed)]
#[folder = "../target/site"]
struct Site;

/// Whether this binary carries the site inside.
pub const EMBEDDED: bool = cfg!(feature = "embed");

/// The embedded file at the request's path, or `None` (not embedded, not a
/// file, or not a GET/HEAD) so that the app renders the page.
pub fn embedded(request: &Request) -> Option<Response> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return None;
    }
    let path = request.uri().path().trim_start_matches('/');
    let (bytes, hash, mime) = lookup(path)?;
    let etag = format!("\"{}\"", hex(&hash[..12]));
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else if request.method() == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(match bytes {
            Cow::Borrowed(b) => Body::from(b),
            Cow::Owned(v) => Body::from(v),
        })
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    // The names carry no content hash, so a phone asks again each time;
    // with the ETag the answer is a 304 of a few bytes.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    Some(response)
}

#[cfg(feature = "embed")]
fn lookup(path: &str) -> Option<(Cow<'static, [u8]>, [u8; 32], String)> {
    let file = Site::get(path)?;
    Some((
        file.data,
        file.metadata.sha256_hash(),
        file.metadata.mimetype().to_string(),
    ))
}

#[cfg(not(feature = "embed"))]
fn lookup(_path: &str) -> Option<(Cow<'static, [u8]>, [u8; 32], String)> {
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The embedded files' paths, for start-up checks and tests.
pub fn embedded_files() -> Vec<String> {
    #[cfg(feature = "embed")]
    {
        Site::iter().map(|p| p.into_owned()).collect()
    }
    #[cfg(not(feature = "embed"))]
    {
        Vec::new()
    }
}
