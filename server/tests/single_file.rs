//! The single-file builds of `scripts/dist`: a binary copied alone into an
//! empty folder starts, makes its database in the user's data folder,
//! serves the pages, the WASM, the JS and the CSS from inside itself, and
//! counts a vote made through the API. The Windows build, started with no
//! arguments as a double-click does, serves the venue.
//!
//! `scripts/test-dist` runs this against `dist/rembuk-linux-x86_64`, and
//! against `dist/rembuk-windows-x86_64.exe` under Wine:
//!
//! ```sh
//! REMBUK_SINGLE_FILE=dist/rembuk-linux-x86_64 \
//!   cargo test -p rembuk --test single_file -- --ignored
//! ```
//!
//! `REMBUK_SINGLE_FILE_RUNNER` (e.g. `wine64`) runs the file through
//! another program; `REMBUK_WINE_DLL` names DLLs to place beside it
//! (colon-separated).

mod support;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use reqwest::StatusCode;
use support::TestApp;

/// Stops the server however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
#[ignore = "needs a single-file build: scripts/test-dist runs it"]
async fn one_file_alone_in_an_empty_folder_serves_the_whole_app() {
    let binary = PathBuf::from(
        std::env::var("REMBUK_SINGLE_FILE")
            .expect("REMBUK_SINGLE_FILE must name a single-file build (scripts/dist makes them)"),
    );
    assert!(binary.is_file(), "{} does not exist", binary.display());
    let runner = std::env::var("REMBUK_SINGLE_FILE_RUNNER")
        .ok()
        .filter(|r| !r.is_empty());

    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("usb stick");
    let home = root.path().join("home");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let name = binary.file_name().unwrap();
    let copy = folder.join(name);
    std::fs::copy(&binary, &copy).unwrap();
    for dll in std::env::var("REMBUK_WINE_DLL")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
    {
        let dll = Path::new(dll);
        std::fs::copy(dll, folder.join(dll.file_name().unwrap())).unwrap();
    }

    let wine_prefix = root.path().join("wine");
    let launch = |args: &[&str]| {
        let mut command = match &runner {
            Some(runner) => {
                let mut c = Command::new(runner);
                c.arg(name);
                c
            }
            None => Command::new(&copy),
        };
        command
            .args(args)
            .current_dir(&folder)
            .env("HOME", &home)
            .env("REMBUK_LOG", "info")
            .env("LANG", "en_US.UTF-8")
            .env("WINEPREFIX", &wine_prefix)
            .env("WINEDEBUG", "-all")
            .env_remove("XDG_DATA_HOME")
            .env_remove("DATABASE_URL")
            .env_remove("REMBUK_DATA_DIR")
            .env_remove("LEPTOS_SITE_ROOT")
            .env_remove("LEPTOS_OUTPUT_NAME")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        start(command)
    };
    let (server, _lines, base) = launch(&["serve", "--bind", "127.0.0.1:0"]);

    let app = TestApp::at(base.clone(), String::new());

    // The pages and the site's files, from inside the binary. The home
    // page is a phone's page: it links the phone's bundle; the staff
    // screens' full bundle is inside too.
    let page = app.get("/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for asset in [
        "/pkg/rembuk-phone.js",
        "/pkg/rembuk-phone.wasm",
        "/pkg/rembuk.css",
        "/pkg/rembuk.js",
        "/pkg/rembuk.wasm",
    ] {
        let linked = !matches!(asset, "/pkg/rembuk.js" | "/pkg/rembuk.wasm");
        assert_eq!(
            html.contains(asset),
            linked,
            "the page links {asset}: {linked}"
        );
        let r = app.get(asset, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        let body = r.bytes().await.unwrap();
        match asset {
            a if a.ends_with(".wasm") => {
                assert_eq!(kind, "application/wasm");
                assert!(body.starts_with(b"\0asm"), "a WebAssembly module");
                assert!(body.len() > 100_000, "a whole bundle");
            }
            a if a.ends_with(".js") => assert!(kind.starts_with("text/javascript")),
            _ => assert!(kind.starts_with("text/css")),
        }
        // Asked again with its tag: 304, nothing re-sent over a weak signal.
        let again = app
            .request(reqwest::Method::GET, asset, None)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{asset}");
    }
    // As the page links them: under the build's content hash, kept a year;
    // the staff screens' lazy chunks and their loader are inside too.
    let at = html.find("/pkg/rembuk-phone.js").unwrap();
    let prefix = &html[html[..at].rfind("/v/").expect("a versioned address")..at];
    for file in [
        "rembuk-phone.wasm",
        "rembuk.wasm",
        "__wasm_split.______________________.js",
        "__wasm_split_manifest.json",
    ] {
        let r = app.get(&format!("{prefix}/pkg/{file}"), None).await;
        assert_eq!(r.status(), StatusCode::OK, "{prefix}/pkg/{file}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }

    // A whole vote through the API.
    let room = app.room().await;
    let phone = app.join(&room.code, "community").await;
    let join = app.get(&format!("/j/{}", room.code), None).await;
    assert_eq!(join.status(), StatusCode::OK);
    let card = app
        .card(&phone, &room.question, "Sinyal lemah di Kluet Tengah")
        .await;
    app.phase(&room.admin, &room.question, "voting").await;
    let v = app.vote(&phone, card["id"].as_str().unwrap(), 2).await;
    assert_eq!(v.status(), StatusCode::OK);
    let snapshot: serde_json::Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&phone))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snapshot["cards"][0]["dots"], 2, "the vote is counted");

    // Its database is in the user's data folder, not beside the binary.
    drop(server);
    let folder_files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !folder_files.iter().any(|f| f.contains("rembuk.db")),
        "nothing written beside the binary: {folder_files:?}"
    );
    let database = if runner.is_some() {
        // Wine's %LOCALAPPDATA%: drive_c/users/<user>/AppData/Local.
        let users = root.path().join("wine/drive_c/users");
        std::fs::read_dir(&users)
            .unwrap()
            .map(|e| e.unwrap().path().join("AppData/Local/Rembuk/rembuk.db"))
            .find(|p| p.is_file())
    } else {
        Some(home.join(".local/share/rembuk/rembuk.db")).filter(|p| p.is_file())
    };
    assert!(
        database.is_some(),
        "the database is made in the user's data folder"
    );

    if runner.is_some() {
        // Double-clicked, with no arguments: the Windows build serves the
        // venue (every interface, port 3000 or the next free one).
        let (venue, lines, listening) = launch(&[]);
        let mut banner = String::new();
        while !banner.contains("Press Ctrl+C") {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no venue banner after:\n{banner}"));
            banner.push_str(&line);
            banner.push('\n');
        }
        assert!(banner.contains("Venue mode"), "{banner}");
        assert!(listening.starts_with("http://0.0.0.0:30"), "{listening}");
        let port = listening.rsplit(':').next().unwrap();
        let join = banner
            .lines()
            .find_map(|l| l.strip_prefix("Participants join at: "))
            .map(str::to_string)
            .unwrap_or_else(|| format!("http://127.0.0.1:{port}/"));
        let page = reqwest::get(&join).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{join}");
        drop(venue);
        // Wine's background server (and anything the browser opener
        // started) would outlive the test's folder.
        let wineserver = Path::new(runner.as_deref().unwrap_or("")).with_file_name("wineserver");
        let _ = Command::new(if wineserver.is_file() {
            wineserver.as_os_str()
        } else {
            "wineserver".as_ref()
        })
        .arg("-k")
        .env("WINEPREFIX", &wine_prefix)
        .status();
    }
}

/// Starts the server and waits for the address it prints ("running at");
/// Wine's first start makes its prefix, which takes seconds.
fn start(mut command: Command) -> (Running, mpsc::Receiver<String>, String) {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Running(child);
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = lines
            .recv_timeout(left)
            .expect("the single file starts and prints its address");
        if let Some(rest) = line.split("running at ").nth(1) {
            let base = rest.split_whitespace().next().unwrap_or("").to_string();
            return (server, lines, base);
        }
    }
}
