//! The `rembuk` binary as an administrator uses it.

mod support;

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");

fn add_user(db: &str, email: &str, role: &str, password: &str) -> std::process::Output {
    add_user_in("en_US.UTF-8", db, email, role, password)
}

/// `rembuk user add` on a terminal whose locale is `locale`.
fn add_user_in(
    locale: &str,
    db: &str,
    email: &str,
    role: &str,
    password: &str,
) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args([
            "user",
            "add",
            "--email",
            email,
            "--role",
            role,
            "--database-url",
            db,
        ])
        .env_remove("DATABASE_URL")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", locale)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_the_account_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("nested/rembuk.db").display());
    let out = add_user(
        &db,
        "fasilitator@acehselatankab.go.id",
        "facilitator",
        "kopi-sanger-pagi",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("added fasilitator@acehselatankab.go.id (facilitator)")
    );

    let services = rembuk_service::Services::start(&db, Default::default())
        .await
        .unwrap();
    let login = services
        .log_in("fasilitator@acehselatankab.go.id", "kopi-sanger-pagi")
        .await
        .unwrap();
    assert_eq!(login.user.role, rembuk_domain::user::Role::Facilitator);
}

/// `rembuk user add` on a terminal (a pseudo-terminal made by `script`):
/// returns what the terminal showed and whether the command succeeded,
/// typing each of `typed` once the screen shows its prompt.
fn user_add_at_a_terminal(db: &str, email: &str, typed: &[(&str, &str)]) -> (String, bool) {
    use std::sync::{Arc, Mutex};
    let command = format!("{BIN} user add --email {email} --role facilitator --database-url {db}");
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "id_ID.UTF-8")
        .env("REMBUK_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let screen = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().unwrap();
    let shown = screen.clone();
    let reader = std::thread::spawn(move || {
        let mut chunk = [0u8; 256];
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut chunk) {
            if n == 0 {
                break;
            }
            shown
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    // Where the screen stood when the last answer was typed.
    let mut seen = 0;
    for (prompt, answer) in typed {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !screen.lock().unwrap()[seen..].contains(prompt) {
            assert!(
                Instant::now() < deadline,
                "no {prompt:?} on {:?}",
                screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // The next prompt must come after this one.
        seen = screen.lock().unwrap().len();
        stdin.write_all(format!("{answer}\r").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let screen = screen.lock().unwrap().clone();
    (screen, status.success())
}

#[tokio::test]
async fn at_a_terminal_the_password_is_asked_twice_and_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("rembuk.db").display());
    let (screen, ok) = user_add_at_a_terminal(
        &db,
        "a@example.id",
        &[
            (
                "Kata sandi untuk a@example.id (minimal 10 karakter): ",
                "kopi-sanger-pagi",
            ),
            ("Kata sandi yang sama sekali lagi: ", "kopi-sanger-pagi"),
        ],
    );
    assert!(ok, "{screen}");
    assert!(
        screen.contains("a@example.id ditambahkan (facilitator)"),
        "{screen}"
    );
    assert!(!screen.contains("kopi"), "the password was shown: {screen}");
    let services = rembuk_service::Services::start(&db, Default::default())
        .await
        .unwrap();
    assert!(
        services
            .log_in("a@example.id", "kopi-sanger-pagi")
            .await
            .is_ok()
    );

    // A typo in the second one changes nothing.
    let (screen, ok) = user_add_at_a_terminal(
        &db,
        "b@example.id",
        &[
            ("Kata sandi untuk b@example.id", "kopi-sanger-pagi"),
            ("sekali lagi: ", "kopi-sanger-siang"),
        ],
    );
    assert!(!ok, "{screen}");
    assert!(screen.contains("kedua kata sandi berbeda"), "{screen}");
    assert!(
        services
            .log_in("b@example.id", "kopi-sanger-pagi")
            .await
            .is_err()
    );
}

#[test]
fn user_add_explains_bad_input_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("rembuk.db").display());
    let out = add_user(&db, "x@example.id", "boss", "kopi-sanger-pagi");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Role is not known"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = add_user(&db, "x@example.id", "admin", "short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = add_user("mysql://nope", "x@example.id", "admin", "kopi-sanger-pagi");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://PATH"));

    // A terminal that is not set to English speaks Bahasa Indonesia.
    let stderr = |out: std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();
    let said = stderr(add_user_in(
        "C.UTF-8",
        &db,
        "x@example.id",
        "boss",
        "kopi-sanger-pagi",
    ));
    assert!(said.contains("Peran tidak dikenal"), "{said}");
    let said = stderr(add_user_in(
        "id_ID.UTF-8",
        "mysql://nope",
        "x@example.id",
        "admin",
        "kopi-sanger-pagi",
    ));
    assert!(
        said.contains("tidak dapat membuka basis data") && said.contains("tidak didukung"),
        "{said}"
    );
    let out = add_user_in(
        "id_ID.UTF-8",
        &db,
        "y@example.id",
        "admin",
        "kopi-sanger-pagi",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(said, "y@example.id ditambahkan (admin)\n");
}

#[test]
fn serve_creates_its_database_and_answers_on_the_given_address() {
    let dir = tempfile::tempdir().unwrap();
    let db_file = dir.path().join("data/rembuk.db");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &format!("sqlite://{}", db_file.display()),
        ])
        .env("REMBUK_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut address = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("running at ").nth(1) {
            address = Some(rest.split_whitespace().next().unwrap().to_string());
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
    }
    let address = address.expect("the server prints its address");
    let response = http_get(address.trim_start_matches("http://"), "/healthz");
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
    assert!(
        db_file.exists(),
        "the SQLite file and its folder are created"
    );
}

#[test]
fn help_and_mistakes_are_in_the_terminals_language() {
    let run = |locale: &str, args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", locale)
            .output()
            .unwrap()
    };
    let out = run("id_ID.UTF-8", &["import", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.starts_with("Bawa pulang lokakarya"), "{help}");
    assert!(
        help.contains("Penggunaan: rembuk import [OPSI] --from <FROM>"),
        "{help}"
    );
    let out = run("en_US.UTF-8", &["import", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Usage: rembuk import [OPTIONS] --from <FROM>"),
        "{help}"
    );
    // The word `help` says the same.
    let out = run("en_US.UTF-8", &["help", "import"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), help);

    let out = run("C.UTF-8", &["import", "--form", "x.db"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "rembuk: argumen --form tidak dikenal\nLihat: rembuk import --help\n"
    );

    // A file name that is not UTF-8 is a file name like any other.
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"venue-\xff.db");
    let out = Command::new(BIN)
        .args(["import", "--database-url", "sqlite::memory:", "--from"])
        .arg(odd)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with("rembuk: there is no file at venue-"),
        "{said}"
    );
}

#[test]
fn a_server_that_cannot_start_says_why_in_the_terminals_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("rembuk.db").display());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let serve = |locale: &str, bind: &str, db: &str| {
        let out = Command::new(BIN)
            .args(["serve", "--bind", bind, "--database-url", db])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", locale)
            .env("REMBUK_LOG", "error")
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = serve("id_ID.UTF-8", &address, &db);
    assert!(
        said.starts_with(&format!("rembuk: tidak dapat mendengarkan di {address}: ")),
        "{said}"
    );
    let said = serve("en_US.UTF-8", &address, &db);
    assert!(
        said.starts_with(&format!("rembuk: cannot listen on {address}: ")),
        "{said}"
    );
    let said = serve("C.UTF-8", "127.0.0.1:0", "mysql://nope");
    assert!(
        said.contains("rembuk: tidak dapat membuka basis data"),
        "{said}"
    );
    drop(taken);
}

fn http_get(host: &str, path: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// A `rembuk serve` child process and what it prints.
struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// `http://ADDR:PORT` from "running at".
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts `rembuk` with `args` in a clean environment whose home is
    /// `home`, and waits until it listens.
    fn start(args: &[&str], home: &Path, env: &[(&str, &str)]) -> Served {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("HOME", home)
            .env("REMBUK_LOG", "info")
            .env_remove("XDG_DATA_HOME")
            .env_remove("DATABASE_URL")
            .env_remove("REMBUK_DATA_DIR")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Served {
            child,
            lines,
            address: String::new(),
        };
        let line = served.line_with("running at ");
        served.address = line
            .split("running at ")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        served
    }

    /// Reads printed lines until one contains `needle`; all of them, joined.
    fn until(&self, needle: &str) -> String {
        let mut seen = String::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no line with {needle:?} after:\n{seen}"));
            seen.push_str(&line);
            seen.push('\n');
            if line.contains(needle) {
                return seen;
            }
        }
    }

    fn line_with(&self, needle: &str) -> String {
        let seen = self.until(needle);
        seen.lines().last().unwrap_or_default().to_string()
    }
}

#[test]
fn without_a_database_named_it_lives_in_the_users_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home dinas");
    std::fs::create_dir_all(&home).unwrap();
    {
        let served = Served::start(&["serve", "--bind", "127.0.0.1:0"], &home, &[]);
        let response = http_get(served.address.trim_start_matches("http://"), "/healthz");
        assert!(response.ends_with("ok"), "{response}");
    }
    assert!(home.join(".local/share/rembuk/rembuk.db").is_file());

    // --data-dir beats the DATABASE_URL variable; a name with URL syntax in
    // it is still the folder it says.
    let data = dir.path().join("flashdisk/100% #1");
    let elsewhere = dir.path().join("elsewhere.db");
    {
        let served = Served::start(
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--data-dir",
                data.to_str().unwrap(),
            ],
            &home,
            &[("DATABASE_URL", &format!("sqlite://{}", elsewhere.display()))],
        );
        let response = http_get(served.address.trim_start_matches("http://"), "/healthz");
        assert!(response.ends_with("ok"), "{response}");
    }
    assert!(data.join("rembuk.db").is_file());
    assert!(!elsewhere.exists());
}

#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_stops_the_server_while_phones_hold_live_streams() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hall.db").display());
    let mut served = Served::start(
        &["serve", "--bind", "127.0.0.1:0", "--database-url", &url],
        dir.path(),
        &[],
    );
    let app = support::TestApp::at(served.address.clone(), url);
    let room = app.room().await;
    let phone = app.join(&room.code, "community").await;
    let mut stream = app
        .get(
            &format!("/api/v1/sessions/{}/events", room.session),
            Some(&phone),
        )
        .await;
    let mut opened = String::new();
    while !opened.contains("\"ready\"") {
        let chunk = stream.chunk().await.unwrap().expect("the stream is open");
        opened.push_str(std::str::from_utf8(&chunk).unwrap());
    }

    // What Ctrl+C in the terminal sends.
    let pid = served.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after Ctrl+C with a phone connected"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    // The phone's stream ended cleanly (EventSource then retries).
    while let Some(chunk) = stream.chunk().await.unwrap() {
        assert!(!chunk.is_empty());
    }
}

#[tokio::test]
async fn venue_mode_puts_the_laptops_address_in_join_links_and_prints_a_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("venue");
    let found = local_ipv4_addresses();

    // The address chosen on its own: this machine's LAN address if it has
    // one, listened on from every interface.
    let served = Served::start(
        &[
            "serve",
            "--venue",
            "--no-browser",
            "--bind",
            "0.0.0.0:0",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        dir.path(),
        &[("LANG", "en_US.UTF-8")],
    );
    let banner = served.until("Press Ctrl+C");
    assert!(banner.contains("Venue mode"), "{banner}");
    assert!(banner.contains(&data.join("rembuk.db").display().to_string()));
    if found.as_ref().is_some_and(Vec::is_empty) {
        assert!(
            banner.contains("not connected to any local network"),
            "{banner}"
        );
    } else if let Some(found) = &found {
        let join = banner
            .lines()
            .find_map(|l| l.strip_prefix("Participants join at: "))
            .unwrap_or_else(|| panic!("{banner}"));
        let host = join
            .trim_start_matches("http://")
            .split(':')
            .next()
            .unwrap();
        assert!(
            found.iter().any(|ip| ip == host),
            "{host} is one of {found:?}"
        );
        assert!(banner.contains('█'), "a QR code: {banner}");
        let page = reqwest::get(join).await.unwrap();
        assert_eq!(page.status(), 200, "phones reach {join}");
    }
    drop(served);

    // The facilitator's choice, and join links that carry it.
    let served = Served::start(
        &[
            "serve",
            "--venue",
            "--no-browser",
            "--bind",
            "0.0.0.0:0",
            "--lan-address",
            "127.0.0.1",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        dir.path(),
        &[("LANG", "id_ID.UTF-8")],
    );
    let banner = served.until("Tekan Ctrl+C");
    let port = served.address.rsplit(':').next().unwrap().to_string();
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        banner.contains(&format!("Peserta bergabung di: {base}/\n")),
        "{banner}"
    );
    assert!(banner.contains(&format!("Fasilitator membuka: {base}/admin")));
    let app = support::TestApp::at(base.clone(), String::new());
    let admin = app.admin().await;
    let workshop = app.workshop(&admin).await;
    let session = app.session(&admin, workshop["id"].as_str().unwrap()).await;
    assert!(
        session["join_url"].as_str().unwrap().starts_with(&base),
        "{session}"
    );
    // Once set up, the address phones get opens on the box for the code.
    let home = app.get("/", None).await.text().await.unwrap();
    assert!(home.contains("action=\"/j\""), "the code box: {home}");
}

/// This machine's IPv4 addresses other than loopback and link-local, as
/// the system's own tool lists them; `None` when it cannot say.
fn local_ipv4_addresses() -> Option<Vec<String>> {
    let out = Command::new("hostname").arg("-I").output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter(|a| a.contains('.') && !a.starts_with("127.") && !a.starts_with("169.254."))
            .map(String::from)
            .collect()
    })
}
