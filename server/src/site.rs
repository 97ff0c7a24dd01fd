//! The built site (WASM, JS, CSS, icons) served from inside the binary.
//!
//! With the `embed` feature (the single-file builds of `scripts/dist`) the
//! files of `target/site` are compiled in, so one copied file serves the
//! whole app. Without it the router serves them from `--site-root` on disk.
//!
//! Pages link the files of `pkg/` under `/v/<version>/pkg/…`, where the
//! version is a hash of those files' contents ([`Assets`]): a new build
//! gets new addresses, so a phone may keep what it fetched for a year and
//! never needs to ask again. The plain `/pkg/…` addresses still answer,
//! with `no-cache`.

use std::{borrow::Cow, path::Path, sync::Arc};

use rembuk_app::PHONE_BUNDLE;
use sha2::{Digest, Sha256};

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

/// How long a browser may keep a versioned file: a year, the longest
/// lifetime caches honour; the address changes with the content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The version of the site's files that this process serves.
#[derive(Clone, Debug)]
pub struct Assets {
    version: Arc<str>,
    phone_bundle: bool,
}

impl Assets {
    /// Hashes the files of `pkg/`: those compiled in, or those under
    /// `site_root` on disk.
    pub fn load(site_root: &Path) -> Assets {
        if EMBEDDED {
            Assets::of(&embedded_pkg_files())
        } else {
            Assets::of(&disk_pkg_files(&site_root.join("pkg")))
        }
    }

    /// The version of a set of files, given as (name, content).
    pub fn of<C: AsRef<[u8]>>(files: &[(String, C)]) -> Assets {
        let mut files: Vec<&(String, C)> = files.iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hash = Sha256::new();
        for (name, content) in &files {
            let content = content.as_ref();
            hash.update((name.len() as u64).to_le_bytes());
            hash.update(name.as_bytes());
            hash.update((content.len() as u64).to_le_bytes());
            hash.update(content);
        }
        Assets {
            version: hex(&hash.finalize()[..8]).into(),
            phone_bundle: files
                .iter()
                .any(|(name, _)| name.strip_suffix(".wasm") == Some(PHONE_BUNDLE)),
        }
    }

    /// Whether the site has the phone's own bundle
    /// ([`PHONE_BUNDLE`]), which pages outside `/admin` then load.
    pub fn phone_bundle(&self) -> bool {
        self.phone_bundle
    }

    /// The content hash: 16 hexadecimal digits.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The prefix pages put before `/pkg/…`: `/v/<version>`.
    pub fn root(&self) -> String {
        format!("/v/{}", self.version)
    }
}

fn disk_pkg_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let content = std::fs::read(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), content))
        })
        .collect()
}

/// The compiled-in files of `pkg/`, borrowed from the binary.
#[cfg(feature = "embed")]
fn embedded_pkg_files() -> Vec<(String, Cow<'static, [u8]>)> {
    Site::iter()
        .filter_map(|path| {
            let name = path.strip_prefix("pkg/")?.to_string();
            Some((name, Site::get(&path)?.data))
        })
        .collect()
}

#[cfg(not(feature = "embed"))]
fn embedded_pkg_files() -> Vec<(String, Cow<'static, [u8]>)> {
    Vec::new()
}

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
    // At its plain address a file may change with the next build, so a
    // phone asks again each time; with the ETag the answer is a 304 of a
    // few bytes. (Under `/v/<version>/` the router marks it immutable.)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter()
            .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn the_version_follows_the_content_not_the_order() {
        let a = Assets::of(&files(&[("rembuk.js", "js"), ("rembuk.wasm", "wasm")]));
        let b = Assets::of(&files(&[("rembuk.wasm", "wasm"), ("rembuk.js", "js")]));
        assert_eq!(a.version(), b.version());
        assert_eq!(a.version().len(), 16);
        assert!(a.version().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.root(), format!("/v/{}", a.version()));

        let changed = Assets::of(&files(&[("rembuk.js", "js"), ("rembuk.wasm", "wasm2")]));
        assert_ne!(a.version(), changed.version());
        // Moving bytes from one file to the next is a change too.
        let shifted = Assets::of(&files(&[
            ("rembuk.js", "jsr"),
            ("rembuk.wasm", "embuk.wasm"),
        ]));
        let joined = Assets::of(&files(&[
            ("rembuk.js", "js"),
            ("rembuk.wasm", "rembuk.wasm"),
        ]));
        assert_ne!(shifted.version(), joined.version());
    }

    #[test]
    fn a_site_with_the_phone_bundle_says_so() {
        assert!(!Assets::of(&files(&[("rembuk.wasm", "w")])).phone_bundle());
        let both = Assets::of(&files(&[("rembuk.wasm", "w"), ("rembuk-phone.wasm", "p")]));
        assert!(both.phone_bundle());
    }

    #[test]
    fn files_on_disk_are_read_from_pkg() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(pkg.join("rembuk.js"), "js").unwrap();
        std::fs::create_dir(pkg.join("nested")).unwrap();
        let on_disk = disk_pkg_files(&pkg);
        assert_eq!(on_disk, files(&[("rembuk.js", "js")]));
        assert!(disk_pkg_files(&dir.path().join("missing")).is_empty());
    }
}
